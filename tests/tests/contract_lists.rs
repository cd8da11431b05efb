//! The list machinery (§1.4–1.5) on projects, categories, labels and label sets: paging with absolute
//! `next`/`previous`, `ordering`, `fields`, `created_at_after`/`_before`, the `project` filter, and the
//! 400s for malformed parameters. Each check runs once per resource, in-process (`TestApp`).

use std::collections::BTreeSet;
use std::time::Duration;

use lectern_tests::app::{AppClient, TestApp};
use lectern_tests::{assert_field_error, Api};
use lectern_tests::{away_from_midnight, ids, keys, utc_date, StatusCode};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Projects,
    Categories,
    Labels,
    LabelSets,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Projects => "/api/v3/projects/",
            Kind::Categories => "/api/v3/categories/",
            Kind::Labels => "/api/v3/labels/",
            Kind::LabelSets => "/api/v3/label-sets/",
        }
    }

    /// Creates one item named `name` (in `project`, for everything but projects) and returns its id.
    async fn create(self, client: &AppClient, project: i64, name: &str) -> i64 {
        let body = match self {
            Kind::Projects => json!({"name": name}),
            _ => json!({"project": project, "name": name}),
        };
        client.create(self.path(), body).await
    }

    /// The list URL with the query `query` (may be empty).
    fn list(self, query: &str) -> String {
        format!("{}?{query}", self.path())
    }
}

/// An app, a user and, except for projects, two projects of that user to put items in.
struct Env {
    app: TestApp,
    client: AppClient,
    projects: [i64; 2],
}

impl Env {
    async fn new(kind: Kind) -> Env {
        let app = TestApp::new().await;
        let client = app.user("ann@example.com").await;
        let projects = if kind == Kind::Projects {
            [0, 0]
        } else {
            [
                client.create("/api/v3/projects/", json!({"name": "First"})).await,
                client.create("/api/v3/projects/", json!({"name": "Second"})).await,
            ]
        };
        Env { app, client, projects }
    }

    /// Creates items with these names, in order, in the first project.
    async fn items(&self, kind: Kind, names: &[&str]) -> Vec<i64> {
        let mut out = Vec::new();
        for name in names {
            out.push(kind.create(&self.client, self.projects[0], name).await);
        }
        out
    }

    async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.client.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn names(&self, path: &str) -> Vec<String> {
        self.client.get_all(path).await.iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
    }
}

const SEVEN: [&str; 7] = ["delta", "alpha", "golf", "charlie", "bravo", "foxtrot", "echo"];

fn results(page: &Value) -> &Vec<Value> {
    page["results"].as_array().unwrap_or_else(|| panic!("no results in {page}"))
}

/// The query pairs of an absolute URL.
fn query_of(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.replace("%2C", ",").replace("%2c", ","))
        })
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn paging_returns_every_item_once(kind: Kind) {
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN).await;
    let base = format!("{}{}", env.app.base, kind.path());

    let first = env.ok(&kind.list("limit=3")).await;
    assert_eq!(keys(&first), ["count", "next", "previous", "results"]);
    assert_eq!(first["count"], 7);
    assert_eq!(results(&first).len(), 3);
    assert_eq!(first["previous"], Value::Null);
    let next = first["next"].as_str().unwrap_or_else(|| panic!("no next: {first}"));
    assert!(next.starts_with(&format!("{base}?")), "next is an absolute URL of the list: {next} (base {base})");
    let q = query_of(next);
    assert_eq!((param(&q, "limit"), param(&q, "offset")), (Some("3"), Some("3")), "{next}");

    let second = env.ok(next).await;
    assert_eq!(second["count"], 7);
    assert_eq!(results(&second).len(), 3);
    let previous = second["previous"].as_str().unwrap_or_else(|| panic!("no previous: {second}"));
    assert!(previous.starts_with(&format!("{base}?")), "{previous}");
    assert_eq!(env.ok(previous).await, first, "previous leads back to the first page");

    let third = env.ok(second["next"].as_str().unwrap()).await;
    assert_eq!(results(&third).len(), 1);
    assert_eq!(third["next"], Value::Null);
    assert!(third["previous"].as_str().is_some_and(|p| p.starts_with(&base)));

    // Following `next` to the end yields each item exactly once.
    let all = env.client.get_all(&kind.list("limit=3")).await;
    let seen = ids(&all);
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), created.iter().copied().collect::<BTreeSet<_>>());
    // Other filters survive in `next`.
    let page = env.ok(&kind.list("limit=2&ordering=-name")).await;
    let q = query_of(page["next"].as_str().unwrap());
    assert_eq!(param(&q, "ordering"), Some("-name"));
    let names = env.names(&kind.list("limit=2&ordering=-name")).await;
    assert_eq!(names, ["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]);

    // Without a limit, a page holds up to 100: all seven, no next.
    let page = env.ok(kind.path()).await;
    assert_eq!(results(&page).len(), 7);
    assert_eq!(page["next"], Value::Null);
    // An offset past the end is an empty page.
    let page = env.ok(&kind.list("limit=3&offset=9")).await;
    assert_eq!(page["count"], 7);
    assert_eq!(results(&page).len(), 0);
    assert_eq!(page["next"], Value::Null);
}

async fn ordering_sorts_by_the_named_fields(kind: Kind) {
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN).await;

    let mut sorted = SEVEN.to_vec();
    sorted.sort();
    assert_eq!(env.names(&kind.list("ordering=name&limit=3")).await, sorted);
    sorted.reverse();
    assert_eq!(env.names(&kind.list("ordering=-name&limit=3")).await, sorted);
    // The default order is by id, ascending; `-id` reverses it.
    assert_eq!(ids(&env.client.get_all(kind.path()).await), created);
    let mut reversed = created.clone();
    reversed.reverse();
    assert_eq!(ids(&env.client.get_all(&kind.list("ordering=-id&limit=3")).await), reversed);
    assert_eq!(ids(&env.client.get_all(&kind.list("ordering=-created_at")).await), reversed);

    // Several fields: equal names (across projects, where names may repeat) are ordered by the second.
    let dup_project = if kind == Kind::Projects { 0 } else { env.projects[1] };
    let dups =
        [kind.create(&env.client, dup_project, "alpha").await, kind.create(&env.client, dup_project, "golf").await];
    let items = env.client.get_all(&kind.list("ordering=name,-id")).await;
    let pairs: Vec<(String, i64)> =
        items.iter().map(|i| (i["name"].as_str().unwrap().to_owned(), i["id"].as_i64().unwrap())).collect();
    let alpha: Vec<i64> = pairs.iter().filter(|(n, _)| n == "alpha").map(|(_, id)| *id).collect();
    assert_eq!(alpha, [dups[0], created[1]], "{pairs:?}");
    assert_eq!(pairs[0].0, "alpha");
    assert_eq!(pairs.last().unwrap(), &("golf".to_owned(), created[2]), "-id puts the older golf last");
    let items = env.client.get_all(&kind.list("ordering=-name,id")).await;
    let first_two: Vec<i64> = ids(&items[..2]);
    assert_eq!(first_two, [created[2], dups[1]], "golf first, older id first");
    assert_eq!(items.len(), 9);

    if kind == Kind::Labels {
        // Labels also order by data type.
        let p = env.projects[0];
        let n = env.client.create(kind.path(), json!({"project": p, "name": "zulu", "data_type": "Number"})).await;
        let d = env.client.create(kind.path(), json!({"project": p, "name": "yankee", "data_type": "Date"})).await;
        let items = env.client.get_all(&kind.list(&format!("project={p}&ordering=data_type,-name"))).await;
        assert_eq!(ids(&items)[..2], [d, n], "Date, then Number, then the Text labels");
        let text_names: Vec<&str> = items[2..].iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(text_names, ["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]);
    }

    // Unknown fields are refused, naming `ordering`.
    for bad in ["colour", "-colour", "name,colour", "project__name"] {
        let (status, body) = env.client.get(&kind.list(&format!("ordering={bad}"))).await;
        assert_field_error(status, &body, "ordering");
    }
}

async fn fields_select_keys_on_lists_and_detail(kind: Kind) {
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN[..3]).await;

    let page = env.ok(&kind.list("fields=id,name&limit=2")).await;
    assert_eq!(keys(&page), ["count", "next", "previous", "results"], "the envelope stays whole");
    assert_eq!(page["count"], 3);
    for item in results(&page) {
        assert_eq!(keys(item), ["id", "name"], "{item}");
    }
    assert_eq!(param(&query_of(page["next"].as_str().unwrap()), "fields"), Some("id,name"), "fields survive in next");
    let all = env.client.get_all(&kind.list("fields=id,name&limit=2")).await;
    assert_eq!(all, created.iter().zip(SEVEN).map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>());

    let detail = format!("{}{}/", kind.path(), created[0]);
    let full = env.ok(&detail).await;
    assert!(keys(&full).len() > 2, "{full}");
    assert_eq!(env.ok(&format!("{detail}?fields=id,name")).await, json!({"id": created[0], "name": "delta"}));
    assert_eq!(env.ok(&format!("{detail}?fields=name")).await, json!({"name": "delta"}));
    // Unknown names are left out.
    assert_eq!(env.ok(&format!("{detail}?fields=id,nonsense")).await, json!({"id": created[0]}));
    // An empty `fields` is no selection.
    assert_eq!(env.ok(&format!("{detail}?fields=")).await, full);
}

async fn malformed_parameters_are_named(kind: Kind) {
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN[..3]).await;

    for (query, field) in [
        ("limit=abc", "limit"),
        ("limit=-3", "limit"),
        ("limit=0", "limit"),
        ("limit=2.5", "limit"),
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("limit=2&offset=x", "offset"),
        ("created_at_after=2024-13-01", "created_at_after"),
        ("created_at_after=yesterday", "created_at_after"),
        ("created_at_before=01.02.2024", "created_at_before"),
        ("ordering=bogus", "ordering"),
    ] {
        let (status, body) = env.client.get(&kind.list(query)).await;
        assert_field_error(status, &body, field);
    }
    if kind != Kind::Projects {
        for bad in ["abc", "1.5", "1,2"] {
            let (status, body) = env.client.get(&kind.list(&format!("project={bad}"))).await;
            assert_field_error(status, &body, "project");
        }
    }

    // A limit above 1000 is served as 1000: `previous` carries the limit in force.
    let page = env.ok(&kind.list("limit=5000&offset=1")).await;
    assert_eq!(results(&page).len(), 2);
    assert_eq!(ids(results(&page)), created[1..]);
    let q = query_of(page["previous"].as_str().unwrap_or_else(|| panic!("no previous: {page}")));
    assert_eq!(param(&q, "limit"), Some("1000"), "{page}");
    let page = env.ok(&kind.list("limit=1000&offset=1")).await;
    assert_eq!(param(&query_of(page["previous"].as_str().unwrap()), "limit"), Some("1000"));
    let page = env.ok(&kind.list("limit=999&offset=1")).await;
    assert_eq!(param(&query_of(page["previous"].as_str().unwrap()), "limit"), Some("999"));
    // Unknown parameters are ignored.
    let page = env.ok(&kind.list("colour=blue")).await;
    assert_eq!(page["count"], 3);
}

async fn created_at_filters_by_utc_day(kind: Kind) {
    away_from_midnight(Duration::from_secs(30)).await;
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN[..3]).await;
    let (yesterday, today, tomorrow) = (utc_date(-1), utc_date(0), utc_date(1));

    let count = |query: String| {
        let env = &env;
        async move {
            let page = env.ok(&kind.list(&query)).await;
            assert_eq!(results(&page).len() as u64, page["count"].as_u64().unwrap(), "{query}: {page}");
            page["count"].as_u64().unwrap()
        }
    };
    // Both bounds include the day they name.
    assert_eq!(count(format!("created_at_after={today}")).await, 3);
    assert_eq!(count(format!("created_at_before={today}")).await, 3);
    assert_eq!(count(format!("created_at_after={today}&created_at_before={today}")).await, 3);
    assert_eq!(count(format!("created_at_after={yesterday}")).await, 3);
    assert_eq!(count(format!("created_at_before={tomorrow}")).await, 3);
    assert_eq!(count(format!("created_at_after={tomorrow}")).await, 0);
    assert_eq!(count(format!("created_at_before={yesterday}")).await, 0);
    assert_eq!(count(format!("created_at_after={yesterday}&created_at_before={yesterday}")).await, 0);
    // Date-times are taken as they are.
    assert_eq!(count(format!("created_at_after={today}T00:00:00Z")).await, 3);
    assert_eq!(count(format!("created_at_after={tomorrow}T00:00:00Z")).await, 0);
    assert_eq!(count(format!("created_at_before={yesterday}T23:59:59Z")).await, 0);

    let items = env.client.get_all(&kind.list(&format!("created_at_after={today}&limit=2"))).await;
    assert_eq!(ids(&items), created);
}

async fn project_filter_narrows_the_list(kind: Kind) {
    assert_ne!(kind, Kind::Projects);
    let env = Env::new(kind).await;
    let [p1, p2] = env.projects;
    let in_first = env.items(kind, &SEVEN[..3]).await;
    let in_second = vec![kind.create(&env.client, p2, "zulu").await, kind.create(&env.client, p2, "yankee").await];

    let first = env.client.get_all(&kind.list(&format!("project={p1}&limit=2"))).await;
    assert_eq!(ids(&first), in_first);
    assert!(first.iter().all(|i| i["project"] == p1));
    let second = env.client.get_all(&kind.list(&format!("project={p2}"))).await;
    assert_eq!(ids(&second), in_second);
    assert!(second.iter().all(|i| i["project"] == p2));
    assert_eq!(env.ok(kind.path()).await["count"], 5, "no filter: both projects");
    assert_eq!(env.ok(&kind.list(&format!("project={p2}"))).await["count"], 2);

    // Another user's project, or one that does not exist, lists nothing.
    let bob = env.app.user("bob@example.com").await;
    let theirs = bob.fixture("Bob's").await;
    for project in [theirs.project, 999_999] {
        let page = env.ok(&kind.list(&format!("project={project}"))).await;
        assert_eq!(page["count"], 0, "{page}");
        assert_eq!(results(&page).len(), 0);
    }
    let (status, page) = bob.get(&kind.list(&format!("project={p1}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["count"], 0, "{page}");
    assert!(bob.get(&kind.list(&format!("project={}", theirs.project))).await.1["count"].as_u64().unwrap() > 0);
}

async fn paths_without_the_trailing_slash_work(kind: Kind) {
    let env = Env::new(kind).await;
    let created = env.items(kind, &SEVEN[..3]).await;
    let bare = kind.path().trim_end_matches('/');

    let page = env.ok(&format!("{bare}?limit=2&ordering=-id")).await;
    assert_eq!(page["count"], 3);
    assert_eq!(ids(results(&page)), [created[2], created[1]]);
    let next = page["next"].as_str().unwrap();
    assert!(next.starts_with(&env.app.base), "{next}");
    assert_eq!(ids(results(&env.ok(next).await)), [created[0]]);
    assert_eq!(env.ok(bare).await, env.ok(kind.path()).await);

    let detail = env.ok(&format!("{bare}/{}", created[1])).await;
    assert_eq!(detail["id"], created[1]);
    assert_eq!(detail["name"], SEVEN[1]);
    let (status, body) = env.client.patch(&format!("{bare}/{}", created[1]), json!({"name": "renamed"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "renamed");
    let (status, _) = env.client.delete(&format!("{bare}/{}", created[1])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(ids(&env.client.get_all(bare).await), [created[0], created[2]]);
    let body = if kind == Kind::Projects {
        json!({"name": "new"})
    } else {
        json!({"project": env.projects[0], "name": "new"})
    };
    let (status, made) = env.client.post(bare, body).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
}

macro_rules! per_kind {
    ($($check:ident),* $(,)?) => {
        $(
            mod $check {
                use super::*;
                #[tokio::test]
                async fn projects() { super::$check(Kind::Projects).await }
                #[tokio::test]
                async fn categories() { super::$check(Kind::Categories).await }
                #[tokio::test]
                async fn labels() { super::$check(Kind::Labels).await }
                #[tokio::test]
                async fn label_sets() { super::$check(Kind::LabelSets).await }
            }
        )*
    };
}

per_kind!(
    paging_returns_every_item_once,
    ordering_sorts_by_the_named_fields,
    fields_select_keys_on_lists_and_detail,
    malformed_parameters_are_named,
    created_at_filters_by_utc_day,
    paths_without_the_trailing_slash_work,
);

mod project_filter_narrows_the_list {
    use super::*;
    #[tokio::test]
    async fn categories() {
        super::project_filter_narrows_the_list(Kind::Categories).await
    }
    #[tokio::test]
    async fn labels() {
        super::project_filter_narrows_the_list(Kind::Labels).await
    }
    #[tokio::test]
    async fn label_sets() {
        super::project_filter_narrows_the_list(Kind::LabelSets).await
    }
}
