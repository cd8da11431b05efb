//! Projects (§3) and who may use them: members see a project, its owner changes its settings; a project's
//! sharing settings (§19) and whether it splits its uploads (§15.2).

use lectern_api::{Project, ProjectSharing, ProjectSharingWrite, ProjectSplitting, ProjectWrite};

use super::list::{ListSpec, Scope};
use super::validate;
use crate::db::{self, Db, Flag, Json};
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "projects t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[],
};

pub fn scope(user: i64) -> Scope {
    Scope::member_projects(user)
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    name: String,
    storage_name: String,
    #[sqlx(try_from = "Flag")]
    priority_processing: bool,
    ocr_method: String,
    #[sqlx(try_from = "Flag")]
    auto_rotate_documents: bool,
    category_ai_model_parameters: Json<serde_json::Value>,
    decimal_separator: String,
    auto_delete_documents_after_days: Option<i64>,
    #[sqlx(try_from = "Flag")]
    enable_translated_strings: bool,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Project {
        Project {
            id: r.id,
            name: r.name,
            storage_name: r.storage_name,
            priority_processing: r.priority_processing,
            ocr_method: r.ocr_method,
            auto_rotate_documents: r.auto_rotate_documents,
            category_ai_model_parameters: r.category_ai_model_parameters.0,
            // The project's categorization AI is listed under category-ais; this legacy key stays null.
            category_ai: None,
            decimal_separator: r.decimal_separator,
            auto_delete_documents_after_days: r.auto_delete_documents_after_days,
            enable_translated_strings: r.enable_translated_strings,
        }
    }
}

/// Projects in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Project>> {
    let rows: Vec<ProjectRow> = db::by_ids(db, "SELECT t.* FROM projects t", ids, |r: &ProjectRow| r.id).await?;
    Ok(rows.into_iter().map(Project::from).collect())
}

pub async fn is_member(db: &Db, user: i64, project: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(project)
        .bind(user)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Passes for members of the project; for anyone else it does not exist.
pub async fn member_only(db: &Db, user: i64, project: i64) -> Result<()> {
    if is_member(db, user, project).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// The item when the user is a member of its project; for anyone else it does not exist.
pub async fn members_only<T>(db: &Db, user: i64, item: Option<T>, project: impl Fn(&T) -> i64) -> Result<T> {
    let item = item.ok_or(Error::NotFound)?;
    member_only(db, user, project(&item)).await?;
    Ok(item)
}

/// The project named in a body field, which the caller must be a member of; otherwise it does not exist for them.
pub async fn member_project(db: &Db, user: i64, field: &str, project: Option<i64>) -> Result<i64> {
    let project = project.ok_or_else(|| Error::required(field))?;
    if is_member(db, user, project).await? {
        Ok(project)
    } else {
        Err(Error::no_such(field, project))
    }
}

/// The project, if the user is a member.
pub async fn visible(db: &Db, user: i64, id: i64) -> Result<Project> {
    let project = load(db, &[id]).await?.pop();
    members_only(db, user, project, |p| p.id).await
}

/// Passes for the project's owner; other members get 403 with `refusal`, everyone else 404.
pub async fn owner_only(db: &Db, user: i64, id: i64, refusal: &str) -> Result<()> {
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT owner_id FROM projects WHERE id = $1").bind(id).fetch_optional(db).await?;
    match owner {
        Some(owner) if owner == user => Ok(()),
        Some(_) if is_member(db, user, id).await? => Err(Error::Forbidden(refusal.into())),
        _ => Err(Error::NotFound),
    }
}

/// Creates a project owned by `user`; returns its id.
pub async fn create(db: &Db, user: i64, body: ProjectWrite) -> Result<i64> {
    let name = validate::name("name", body.name.as_deref())?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO projects (name, owner_id, storage_name, priority_processing, ocr_method, auto_rotate_documents,
            decimal_separator, auto_delete_documents_after_days, enable_translated_strings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&name)
    .bind(user)
    .bind(validate::api_name(&name))
    .bind(body.priority_processing.unwrap_or(false))
    .bind(body.ocr_method.unwrap_or_else(|| "default".into()))
    .bind(body.auto_rotate_documents.unwrap_or(false))
    .bind(body.decimal_separator.unwrap_or_else(|| ".".into()))
    .bind(body.auto_delete_documents_after_days)
    .bind(body.enable_translated_strings.unwrap_or(false))
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes the fields sent; the others keep their values.
pub async fn update(db: &Db, current: Project, body: ProjectWrite) -> Result<()> {
    let name = validate::new_name("name", body.name.as_deref(), &current.name)?;
    sqlx::query(
        "UPDATE projects SET name = $1, priority_processing = $2, ocr_method = $3, auto_rotate_documents = $4,
            decimal_separator = $5, auto_delete_documents_after_days = $6, enable_translated_strings = $7
         WHERE id = $8",
    )
    .bind(name)
    .bind(body.priority_processing.unwrap_or(current.priority_processing))
    .bind(body.ocr_method.unwrap_or(current.ocr_method))
    .bind(body.auto_rotate_documents.unwrap_or(current.auto_rotate_documents))
    .bind(body.decimal_separator.unwrap_or(current.decimal_separator))
    .bind(body.auto_delete_documents_after_days.or(current.auto_delete_documents_after_days))
    .bind(body.enable_translated_strings.unwrap_or(current.enable_translated_strings))
    .bind(current.id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// At most this many origins may embed a project's documents.
pub const MAX_EMBED_DOMAINS: usize = 50;

#[derive(sqlx::FromRow)]
struct SharingRow {
    #[sqlx(try_from = "Flag")]
    public_documents: bool,
    embed_domains: Json<Vec<String>>,
}

pub async fn sharing(db: &Db, project: i64) -> Result<ProjectSharing> {
    let row: SharingRow = sqlx::query_as("SELECT public_documents, embed_domains FROM projects WHERE id = $1")
        .bind(project)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(ProjectSharing { public_documents: row.public_documents, embed_domains: row.embed_domains.0 })
}

/// Whether the project's documents are public.
pub async fn is_public(db: &Db, project: i64) -> Result<bool> {
    Ok(sharing(db, project).await?.public_documents)
}

/// The sharing settings of the document's project when its documents are public; `None` for a private or
/// unknown document.
pub async fn public_sharing_of_document(db: &Db, document: i64) -> Result<Option<ProjectSharing>> {
    let project: Option<i64> =
        sqlx::query_scalar("SELECT project_id FROM documents WHERE id = $1").bind(document).fetch_optional(db).await?;
    let Some(project) = project else { return Ok(None) };
    let settings = sharing(db, project).await?;
    Ok(settings.public_documents.then_some(settings))
}

/// Every origin some project lets embed its documents, which CORS allows too (`http::cors`).
pub async fn embedding_origins(db: &Db) -> Result<Vec<String>> {
    let lists: Vec<Json<Vec<String>>> =
        sqlx::query_scalar("SELECT embed_domains FROM projects WHERE embed_domains <> '[]'").fetch_all(db).await?;
    Ok(lists.into_iter().flat_map(|l| l.0).collect())
}

/// Writes the sharing settings sent; the others keep their values.
pub async fn update_sharing(db: &Db, project: i64, body: ProjectSharingWrite) -> Result<()> {
    let current = sharing(db, project).await?;
    let domains = match body.embed_domains {
        Some(list) => embed_domains(&list)?,
        None => current.embed_domains,
    };
    sqlx::query("UPDATE projects SET public_documents = $1, embed_domains = $2 WHERE id = $3")
        .bind(body.public_documents.unwrap_or(current.public_documents))
        .bind(serde_json::to_string(&domains)?)
        .bind(project)
        .execute(db)
        .await?;
    Ok(())
}

/// The origins, checked and normalised (lower case, no trailing slash, no repeats).
fn embed_domains(list: &[String]) -> Result<Vec<String>> {
    if list.len() > MAX_EMBED_DOMAINS {
        return Err(Error::field(
            "embed_domains",
            format!("Ensure this list has no more than {MAX_EMBED_DOMAINS} origins."),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for entry in list {
        let origin = origin(entry).ok_or_else(|| {
            Error::field(
                "embed_domains",
                format!("\"{entry}\" is not an origin: write a scheme (http or https) and a host, with an optional port and an optional leading \"*.\" for subdomains, e.g. https://*.example.com:8443."),
            )
        })?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

/// `scheme://host[:port]` with scheme http or https and a host of letters, digits, `-` and dots (so IPv4
/// addresses and `localhost` too), optionally starting with `*.`. Anything else, in particular paths,
/// quotes, spaces or `;` that would change the CSP header, is refused.
fn origin(entry: &str) -> Option<String> {
    let entry = entry.trim().to_ascii_lowercase();
    let entry = entry.strip_suffix('/').unwrap_or(&entry);
    let (scheme, authority) = entry.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port {
        if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u32>(), Ok(1..=65535)) {
            return None;
        }
    }
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if bare.is_empty() || bare.len() > 253 || !bare.split('.').all(label_ok) {
        return None;
    }
    Some(entry.to_owned())
}

pub async fn splitting(db: &Db, project: i64) -> Result<ProjectSplitting> {
    let split: Option<Flag> =
        sqlx::query_scalar("SELECT split_uploads FROM projects WHERE id = $1").bind(project).fetch_optional(db).await?;
    Ok(ProjectSplitting { split_uploads: split.ok_or(Error::NotFound)?.0 })
}

pub async fn update_splitting(db: &Db, project: i64, body: ProjectSplitting) -> Result<()> {
    sqlx::query("UPDATE projects SET split_uploads = $1 WHERE id = $2")
        .bind(body.split_uploads)
        .bind(project)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalised() {
        assert_eq!(origin("https://Intranet.Example/").as_deref(), Some("https://intranet.example"));
        assert_eq!(origin("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("https://*.example.com").as_deref(), Some("https://*.example.com"));
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/path",
            "https://*",
            "https://a.*.example.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://exa mple.com",
            "https://example.com; script-src *",
            "https://'self'",
            "https://",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_are_bounded_and_deduplicated() {
        let list = vec!["https://a.example".to_owned(), "https://A.example/".to_owned()];
        assert_eq!(embed_domains(&list).unwrap(), vec!["https://a.example"]);
        let many: Vec<String> = (0..=MAX_EMBED_DOMAINS).map(|i| format!("https://h{i}.example")).collect();
        assert!(embed_domains(&many).is_err());
    }

    use crate::domain::list::{self, Params};
    use crate::domain::schema::categories;
    use crate::testing::{refusal, Fixture, Team};

    #[tokio::test]
    async fn a_project_is_made_with_defaults_or_the_settings_sent() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let plain = create(db, owner, ProjectWrite { name: Some("  Invoices 2026 ".into()), ..Default::default() })
            .await
            .unwrap();
        let body = ProjectWrite {
            name: Some("Payslips".into()),
            priority_processing: Some(true),
            ocr_method: Some("tesseract".into()),
            auto_rotate_documents: Some(true),
            decimal_separator: Some(",".into()),
            auto_delete_documents_after_days: Some(30),
            enable_translated_strings: Some(true),
        };
        let set = create(db, owner, body).await.unwrap();
        let projects = load(db, &[set, plain]).await.unwrap();
        let (set, plain) = (&projects[0], &projects[1]);
        assert_eq!((plain.name.as_str(), plain.storage_name.as_str()), ("Invoices 2026", "Invoices_2026"));
        assert_eq!(
            (plain.priority_processing, plain.auto_rotate_documents, plain.enable_translated_strings),
            (false, false, false)
        );
        assert_eq!((plain.ocr_method.as_str(), plain.decimal_separator.as_str()), ("default", "."));
        assert_eq!((plain.auto_delete_documents_after_days, plain.category_ai), (None, None));
        assert_eq!(plain.category_ai_model_parameters, serde_json::json!({}));
        assert_eq!(
            (set.priority_processing, set.auto_rotate_documents, set.enable_translated_strings),
            (true, true, true)
        );
        assert_eq!((set.ocr_method.as_str(), set.decimal_separator.as_str()), ("tesseract", ","));
        assert_eq!(set.auto_delete_documents_after_days, Some(30));
        assert!(is_member(db, owner, set.id).await.unwrap());

        let blank = create(db, owner, ProjectWrite { name: Some(" ".into()), ..Default::default() }).await;
        assert_eq!(refusal(blank), "400 name: This field may not be blank.");
        assert_eq!(refusal(create(db, owner, ProjectWrite::default()).await), "400 name: This field is required.");
    }

    #[tokio::test]
    async fn members_see_a_project_and_everyone_else_gets_not_found() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let Team { owner, member, stranger, project } = fx.team().await;

        assert_eq!(visible(db, owner, project).await.unwrap().name, "Invoices");
        assert_eq!(visible(db, member, project).await.unwrap().id, project);
        assert_eq!(refusal(visible(db, stranger, project).await), "404 Not found.");
        assert_eq!(refusal(visible(db, owner, project + 100).await), "404 Not found.");
        assert!(is_member(db, member, project).await.unwrap());
        assert!(!is_member(db, stranger, project).await.unwrap());
        assert_eq!(members_only(db, member, Some(7), |_| project).await.unwrap(), 7);
        assert_eq!(refusal(members_only(db, stranger, Some(7), |_| project).await), "404 Not found.");
        assert_eq!(refusal(members_only(db, owner, None::<i64>, |_| project).await), "404 Not found.");

        assert_eq!(member_project(db, member, "project", Some(project)).await.unwrap(), project);
        let other = member_project(db, stranger, "project", Some(project)).await;
        assert_eq!(refusal(other), format!("400 project: Invalid pk \"{project}\" - object does not exist."));
        assert_eq!(refusal(member_project(db, owner, "project", None).await), "400 project: This field is required.");
    }

    #[tokio::test]
    async fn the_list_holds_the_projects_of_which_the_user_is_a_member() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let ann = fx.user("ann@example.com").await;
        let bob = fx.user("bob@example.com").await;
        let a = fx.project(ann, "A").await;
        let b = fx.project(bob, "B").await;
        let c = fx.project(bob, "C").await;
        fx.add_member(c, ann).await;
        let found = list::find(db, &LIST, scope(ann), &Params::default()).await.unwrap();
        assert_eq!((found.ids, found.count), (vec![a, c], 2));
        let found = list::find(db, &LIST, scope(bob), &Params::default()).await.unwrap();
        assert_eq!(found.ids, vec![b, c]);
    }

    #[tokio::test]
    async fn only_the_owner_may_change_a_project() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let Team { owner, member, stranger, project } = fx.team().await;
        owner_only(db, owner, project, "Only the owner may do this.").await.unwrap();
        assert_eq!(
            refusal(owner_only(db, member, project, "Only the owner may do this.").await),
            "403 Only the owner may do this."
        );
        assert_eq!(refusal(owner_only(db, stranger, project, "Only the owner.").await), "404 Not found.");
        assert_eq!(refusal(owner_only(db, owner, project + 100, "Only the owner.").await), "404 Not found.");
    }

    #[tokio::test]
    async fn an_update_writes_only_the_fields_sent() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let current = visible(db, owner, project).await.unwrap();
        let body = ProjectWrite {
            priority_processing: Some(true),
            auto_delete_documents_after_days: Some(7),
            ..Default::default()
        };
        update(db, current, body).await.unwrap();
        let current = visible(db, owner, project).await.unwrap();
        assert_eq!(current.name, "Invoices");
        assert!(current.priority_processing);
        assert_eq!(current.auto_delete_documents_after_days, Some(7));

        let body =
            ProjectWrite { name: Some(" Bills ".into()), decimal_separator: Some(",".into()), ..Default::default() };
        update(db, current, body).await.unwrap();
        let current = visible(db, owner, project).await.unwrap();
        assert_eq!((current.name.as_str(), current.decimal_separator.as_str()), ("Bills", ","));
        assert!(current.priority_processing);
        // The storage name is the one the project was made with.
        assert_eq!(current.storage_name, "Invoices");
        let blank = update(db, current, ProjectWrite { name: Some("".into()), ..Default::default() }).await;
        assert_eq!(refusal(blank), "400 name: This field may not be blank.");
        assert_eq!(visible(db, owner, project).await.unwrap().name, "Bills");
    }

    #[tokio::test]
    async fn a_deleted_project_takes_its_schema_and_documents_along() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let other = fx.project(invoice.owner, "Other").await;
        delete(db, invoice.project).await.unwrap();
        assert_eq!(refusal(visible(db, invoice.owner, invoice.project).await), "404 Not found.");
        assert!(!is_member(db, invoice.owner, invoice.project).await.unwrap());
        assert_eq!(categories::project_of(db, invoice.schema.category).await.unwrap(), None);
        assert!(crate::domain::documents::load_one(db, invoice.doc).await.unwrap().is_none());
        assert_eq!(visible(db, invoice.owner, other).await.unwrap().name, "Other");
    }

    #[tokio::test]
    async fn sharing_settings_change_as_sent_and_make_documents_public() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let project = invoice.project;
        assert_eq!(
            sharing(db, project).await.unwrap(),
            ProjectSharing { public_documents: false, embed_domains: vec![] }
        );
        assert!(!is_public(db, project).await.unwrap());
        assert_eq!(public_sharing_of_document(db, invoice.doc).await.unwrap(), None);

        let domains = vec![
            "https://Intranet.Example/".to_string(),
            "https://intranet.example".into(),
            "http://localhost:8080".into(),
        ];
        let body = ProjectSharingWrite { public_documents: Some(true), embed_domains: Some(domains) };
        update_sharing(db, project, body).await.unwrap();
        let expected = ProjectSharing {
            public_documents: true,
            embed_domains: vec!["https://intranet.example".into(), "http://localhost:8080".into()],
        };
        assert_eq!(sharing(db, project).await.unwrap(), expected);
        assert!(is_public(db, project).await.unwrap());
        assert_eq!(public_sharing_of_document(db, invoice.doc).await.unwrap(), Some(expected.clone()));
        assert_eq!(public_sharing_of_document(db, invoice.doc + 100).await.unwrap(), None);

        // Only the fields sent change; a bad origin changes nothing.
        update_sharing(db, project, ProjectSharingWrite { public_documents: None, embed_domains: Some(vec![]) })
            .await
            .unwrap();
        assert_eq!(
            sharing(db, project).await.unwrap(),
            ProjectSharing { public_documents: true, embed_domains: vec![] }
        );
        let bad = ProjectSharingWrite { public_documents: Some(false), embed_domains: Some(vec!["intranet".into()]) };
        let refused = refusal(update_sharing(db, project, bad).await);
        assert!(refused.starts_with("400 embed_domains: \"intranet\" is not an origin"), "{refused}");
        assert!(is_public(db, project).await.unwrap());
        assert_eq!(refusal(sharing(db, project + 100).await), "404 Not found.");
        assert_eq!(refusal(is_public(db, project + 100).await), "404 Not found.");
    }

    #[tokio::test]
    async fn uploads_are_split_once_the_project_says_so() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Scans").await;
        let other = fx.project(owner, "Other").await;
        assert_eq!(splitting(db, project).await.unwrap(), ProjectSplitting { split_uploads: false });
        update_splitting(db, project, ProjectSplitting { split_uploads: true }).await.unwrap();
        assert!(splitting(db, project).await.unwrap().split_uploads);
        assert!(!splitting(db, other).await.unwrap().split_uploads);
        update_splitting(db, project, ProjectSplitting { split_uploads: false }).await.unwrap();
        assert!(!splitting(db, project).await.unwrap().split_uploads);
        assert_eq!(refusal(splitting(db, project + 100).await), "404 Not found.");
    }
}
