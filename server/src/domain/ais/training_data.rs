//! What the AIs of a project could be trained on now: its processed training and test documents per category
//! and in all, how many of them are annotated, and why training an AI would be refused before it starts.

use lectern_api::ais::{CategoryTrainingData, TrainingCounts, TrainingData};
use lectern_api::documents::status;

use super::kind::AiKind;
use crate::db::Db;
use crate::domain::{projects, schema::categories};
use crate::error::{Error, Result};

/// `dataset_status` of training and of test documents.
pub const TRAINING_DOCUMENTS: i64 = 2;
pub const TEST_DOCUMENTS: i64 = 3;

/// The processed documents of a project with one category (or none) and one of the two datasets.
#[derive(Debug, sqlx::FromRow)]
struct Group {
    category_id: Option<i64>,
    dataset_status: i64,
    documents: i64,
    /// Those with an accepted or human-made annotation over their text.
    annotated: i64,
    /// Those of more than one page.
    multi_page: i64,
}

/// The project's processed training and test documents, grouped. Processed is `status_data` 2: a document still
/// in processing, waiting for its split to be confirmed or failed is not learnt from (`processing::dataset`).
async fn groups(db: &Db, project: i64) -> Result<Vec<Group>> {
    // An annotation is accepted or human-made as `State::is_accepted` says: correct, or made by a person and not
    // revised since. Only those over text count: the extraction AI learns from offsets.
    Ok(sqlx::query_as(
        "SELECT d.category_id, d.dataset_status, COUNT(*) AS documents,
            SUM(CASE WHEN EXISTS (SELECT 1 FROM annotations a WHERE a.document_id = d.id AND a.start_offset IS NOT NULL
                AND (a.is_correct = $1 OR (a.revised = $2 AND a.created_by_id IS NOT NULL))) THEN 1 ELSE 0 END) AS annotated,
            SUM(CASE WHEN d.number_of_pages > 1 THEN 1 ELSE 0 END) AS multi_page
         FROM documents d WHERE d.project_id = $3 AND d.status_data = $4 AND d.dataset_status IN ($5, $6)
         GROUP BY d.category_id, d.dataset_status",
    )
    .bind(true)
    .bind(false)
    .bind(project)
    .bind(status::DONE)
    .bind(TRAINING_DOCUMENTS)
    .bind(TEST_DOCUMENTS)
    .fetch_all(db)
    .await?)
}

/// The counts of the groups `pick` keeps, with what is annotated for the kind.
fn count(groups: &[Group], pick: impl Fn(&Group) -> bool, annotated: impl Fn(&Group) -> i64) -> TrainingCounts {
    let mut c = TrainingCounts::default();
    for g in groups.iter().filter(|g| pick(g)) {
        let (documents, annotated) = (g.documents as u64, annotated(g) as u64);
        if g.dataset_status == TRAINING_DOCUMENTS {
            c.training_documents += documents;
            c.annotated_training_documents += annotated;
        } else {
            c.test_documents += documents;
            c.annotated_test_documents += annotated;
        }
    }
    c
}

fn extraction(groups: &[Group], category: i64, name: &str) -> TrainingCounts {
    let mut c = count(groups, |g| g.category_id == Some(category), |g| g.annotated);
    c.refusal = extraction_refusal(name, &c);
    c
}

fn categorization(groups: &[Group], project: &str) -> TrainingCounts {
    let mut c = count(groups, |_| true, |g| if g.category_id.is_some() { g.documents } else { 0 });
    c.refusal = categorization_refusal(project, &c);
    c
}

fn splitting(groups: &[Group], project: &str) -> TrainingCounts {
    let mut c = count(groups, |_| true, |g| g.documents);
    let multi_page = groups.iter().filter(|g| g.dataset_status == TRAINING_DOCUMENTS).map(|g| g.multi_page).sum();
    c.refusal = splitting_refusal(project, &c, multi_page);
    c
}

/// The extraction AI learns values from the accepted and human-made annotations of its category's training
/// documents: without one there is nothing to learn.
fn extraction_refusal(category: &str, c: &TrainingCounts) -> Option<String> {
    match (c.training_documents, c.annotated_training_documents) {
        (_, 1..) => None,
        (0, _) => Some(format!(
            "Category \"{category}\" has no processed training documents (dataset_status 2): put documents of the \
             category with accepted or human-made annotations in the training set."
        )),
        (n, 0) => Some(format!(
            "None of the {n} processed training documents (dataset_status 2) of category \"{category}\" carries an \
             accepted or human-made annotation: review them (accept the AI's suggestions or annotate) before training."
        )),
    }
}

/// The categorization AI learns from the text of training documents that have a category.
fn categorization_refusal(project: &str, c: &TrainingCounts) -> Option<String> {
    match (c.training_documents, c.annotated_training_documents) {
        (_, 1..) => None,
        (0, _) => Some(format!(
            "Project \"{project}\" has no processed training documents (dataset_status 2): put documents with a \
             category in the training set."
        )),
        (n, 0) => Some(format!(
            "None of the {n} processed training documents (dataset_status 2) of project \"{project}\" has a \
             category: give them their category before training."
        )),
    }
}

/// The splitting AI learns where a document ends from training documents chained one after the other: it needs
/// two of them, and pages after a first page (`split::Model::train`).
fn splitting_refusal(project: &str, c: &TrainingCounts, multi_page: i64) -> Option<String> {
    let n = c.training_documents;
    if n < 2 {
        Some(format!(
            "Project \"{project}\" needs at least two processed training documents (dataset_status 2) to learn where \
             one ends; it has {n}."
        ))
    } else if multi_page == 0 {
        Some(format!(
            "None of the {n} processed training documents (dataset_status 2) of project \"{project}\" has more than \
             one page: a splitting AI learns where a document goes on from the pages after the first."
        ))
    } else {
        None
    }
}

async fn project_name(db: &Db, project: i64) -> Result<String> {
    Ok(projects::load(db, &[project]).await?.pop().ok_or(Error::NotFound)?.name)
}

/// What the AIs of the project could be trained on now.
pub async fn of_project(db: &Db, project: i64) -> Result<TrainingData> {
    let groups = groups(db, project).await?;
    let name = project_name(db, project).await?;
    let categories = categories::names(db, project)
        .await?
        .into_iter()
        .map(|(category, name)| {
            let counts = extraction(&groups, category, &name);
            CategoryTrainingData { category, name, counts }
        })
        .collect();
    Ok(TrainingData {
        project,
        categories,
        categorization: categorization(&groups, &name),
        splitting: splitting(&groups, &name),
    })
}

/// Why an AI of `kind` for `owner` (a category or a project) cannot be trained now; `None` when it can.
pub async fn refusal(db: &Db, kind: AiKind, owner: i64) -> Result<Option<String>> {
    Ok(match kind {
        AiKind::Extraction => {
            let Some(project) = categories::project_of(db, owner).await? else { return Err(Error::NotFound) };
            let name = categories::names(db, project).await?.into_iter().find(|(id, _)| *id == owner);
            let name = name.map(|(_, n)| n).unwrap_or_default();
            extraction(&groups(db, project).await?, owner, &name).refusal
        }
        AiKind::Categorization => categorization(&groups(db, owner).await?, &project_name(db, owner).await?).refusal,
        AiKind::Splitting => splitting(&groups(db, owner).await?, &project_name(db, owner).await?).refusal,
    })
}

#[cfg(test)]
mod tests {
    use lectern_api::annotations::AnnotationWrite;
    use lectern_api::documents::DocumentWrite;
    use lectern_api::review::{ACCEPT, DECLINE};

    use super::*;
    use crate::domain::annotations::write;
    use crate::domain::documents::{processing, review};
    use crate::testing::Fixture;

    fn counts(training: u64, annotated_training: u64, test: u64, annotated_test: u64) -> (u64, u64, u64, u64) {
        (training, annotated_training, test, annotated_test)
    }

    fn of(c: &TrainingCounts) -> (u64, u64, u64, u64) {
        (c.training_documents, c.annotated_training_documents, c.test_documents, c.annotated_test_documents)
    }

    #[tokio::test]
    async fn an_extraction_ai_needs_a_processed_training_document_with_an_accepted_or_human_made_annotation() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (db, state) = (fx.db(), &fx.state);
        let (owner, project, s) = (invoice.owner, invoice.project, invoice.schema);
        let refusal = || async { refusal(db, AiKind::Extraction, s.category).await.unwrap() };
        assert_eq!(
            refusal().await.as_deref(),
            Some(
                "Category \"Invoice\" has no processed training documents (dataset_status 2): put documents of the \
                 category with accepted or human-made annotations in the training set."
            )
        );

        // Processed, in the training set, with a suggestion nobody reviewed and one that was declined.
        let pending = fx.document(owner, project, Some(s.category)).await;
        fx.suggest(pending, s.total, "9,50").await;
        let declined = fx.suggest(invoice.doc, s.total, "9,50").await;
        write::update(state, owner, declined, AnnotationWrite::review(DECLINE)).await.unwrap();
        // Still in processing: not counted.
        let queued = fx.upload(owner, project, Some(s.category)).await;
        fx.dataset(&[invoice.doc, pending, queued], 2).await;
        let none = "None of the 2 processed training documents (dataset_status 2) of category \"Invoice\" carries \
                    an accepted or human-made annotation: review them (accept the AI's suggestions or annotate) before \
                    training.";
        assert_eq!(refusal().await.as_deref(), Some(none));

        // An accepted suggestion counts, as does an annotation a person made.
        let accepted = fx.suggest(pending, s.date, "2026-01-31").await;
        write::update(state, owner, accepted, AnnotationWrite::review(ACCEPT)).await.unwrap();
        assert_eq!(refusal().await, None);
        let test = fx.document(owner, project, Some(s.category)).await;
        let unannotated_test = fx.document(owner, project, Some(s.category)).await;
        fx.annotate(owner, test, s.total, "9,50").await;
        fx.dataset(&[test, unannotated_test], 3).await;

        let data = of_project(db, project).await.unwrap();
        assert_eq!(data.project, project);
        let invoices = &data.categories[0];
        assert_eq!((invoices.category, invoices.name.as_str()), (s.category, "Invoice"));
        assert_eq!(of(&invoices.counts), counts(2, 1, 2, 1));
        assert_eq!(invoices.counts.refusal, None);
        // A category without documents.
        let receipts = crate::domain::schema::categories::create(
            db,
            project,
            lectern_api::CategoryWrite { name: Some("Receipt".into()), ..Default::default() },
        )
        .await
        .unwrap();
        let data = of_project(db, project).await.unwrap();
        let receipt = &data.categories[1];
        assert_eq!((receipt.category, of(&receipt.counts)), (receipts, counts(0, 0, 0, 0)));
        assert!(receipt.counts.refusal.as_deref().unwrap().starts_with("Category \"Receipt\" has no processed"));

        // The document still in processing is counted once it is processed.
        fx.process(queued, crate::testing::INVOICE).await;
        assert_eq!(of(&of_project(db, project).await.unwrap().categories[0].counts), counts(3, 1, 2, 1));
    }

    #[tokio::test]
    async fn a_categorization_ai_needs_a_processed_training_document_with_a_category() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let team = fx.team().await;
        let schema = fx.schema(team.project).await;
        let refusal = || async { refusal(db, AiKind::Categorization, team.project).await.unwrap() };
        assert_eq!(
            refusal().await.as_deref(),
            Some(
                "Project \"Invoices\" has no processed training documents (dataset_status 2): put documents with a \
                 category in the training set."
            )
        );
        let uncategorised = fx.document(team.owner, team.project, None).await;
        fx.dataset(&[uncategorised], 2).await;
        assert_eq!(
            refusal().await.as_deref(),
            Some(
                "None of the 1 processed training documents (dataset_status 2) of project \"Invoices\" has a \
                 category: give them their category before training."
            )
        );
        let body = DocumentWrite { category: Some(Some(schema.category)), ..DocumentWrite::default() };
        review::update(db, fx.load(uncategorised).await, body).await.unwrap();
        assert_eq!(refusal().await, None);
        let test = fx.document(team.owner, team.project, None).await;
        fx.dataset(&[test], 3).await;
        let data = of_project(db, team.project).await.unwrap();
        assert_eq!(of(&data.categorization), counts(1, 1, 1, 0));
        assert_eq!(data.categorization.refusal, None);
    }

    #[tokio::test]
    async fn a_splitting_ai_needs_two_processed_training_documents_one_of_several_pages() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let team = fx.team().await;
        let refusal = || async { refusal(db, AiKind::Splitting, team.project).await.unwrap() };
        let one_page = || async {
            let id = fx.upload(team.owner, team.project, None).await;
            fx.process(id, &[&["A letter of one page"]]).await;
            id
        };
        let first = one_page().await;
        fx.dataset(&[first], 2).await;
        assert_eq!(
            refusal().await.as_deref(),
            Some(
                "Project \"Invoices\" needs at least two processed training documents (dataset_status 2) to learn \
                 where one ends; it has 1."
            )
        );
        let second = one_page().await;
        fx.dataset(&[second], 2).await;
        assert_eq!(
            refusal().await.as_deref(),
            Some(
                "None of the 2 processed training documents (dataset_status 2) of project \"Invoices\" has more than \
                 one page: a splitting AI learns where a document goes on from the pages after the first."
            )
        );
        // A bundle waiting for its split to be confirmed is not a document yet.
        let waiting = fx.document(team.owner, team.project, None).await;
        processing::propose_split(db, waiting, &[]).await.unwrap();
        fx.dataset(&[waiting], 2).await;
        assert!(refusal().await.is_some());
        let two_pages = fx.document(team.owner, team.project, None).await;
        fx.dataset(&[two_pages], 2).await;
        assert_eq!(refusal().await, None);
        let data = of_project(db, team.project).await.unwrap();
        // Every processed document tells where it starts and ends.
        assert_eq!(of(&data.splitting), counts(3, 3, 0, 0));
        assert!(data.categories.is_empty());
    }
}
