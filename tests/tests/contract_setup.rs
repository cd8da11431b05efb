//! Project setup (§4–6): categories with their default label set and `schema`, labels (with the SDK's
//! legacy field names), label sets and their links; in-process (`TestApp`). The answers' shape is in
//! contract_shapes.rs, refused input in contract_errors.rs, others' ids in contract_permissions.rs.

use lectern_tests::app::TestApp;
use lectern_tests::{assert_field_error, assert_not_found, get_ok};
use lectern_tests::{ids, Api, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};

const CATEGORIES: &str = "/api/v3/categories/";
const LABELS: &str = "/api/v3/labels/";
const LABEL_SETS: &str = "/api/v3/label-sets/";

fn at(path: &str, id: i64) -> String {
    format!("{path}{id}/")
}

/// The ids of the label sets in a category's schema, in order.
fn schema_ids(category: &Value) -> Vec<i64> {
    ids(category["schema"].as_array().unwrap_or_else(|| panic!("no schema in {category}")))
}

/// The label ids of one label set inside a schema.
fn schema_labels(category: &Value, set: i64) -> Vec<i64> {
    let entry = category["schema"].as_array().unwrap().iter().find(|s| s["id"] == set);
    ids(entry.unwrap_or_else(|| panic!("set {set} not in {category}"))["labels"].as_array().unwrap())
}

fn label_ids_of_set(set: &Value) -> Vec<i64> {
    ids(set["labels"].as_array().unwrap())
}

#[tokio::test]
async fn a_category_is_created_with_its_default_label_set() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let project = ann.create("/api/v3/projects/", json!({"name": "P"})).await;

    let (status, cat) =
        ann.post(CATEGORIES, json!({"project": project, "name": "Invoice", "description": "Bills"})).await;
    assert_eq!(status, StatusCode::CREATED, "{cat}");
    assert_eq!(cat["name"], "Invoice");
    assert_eq!(cat["project"], project);
    assert_eq!(cat["description"], "Bills");
    assert!(cat["api_name"].as_str().is_some_and(|n| !n.is_empty()));
    let id = cat["id"].as_i64().unwrap();
    // The schema holds the default label set: same id and name, no labels yet.
    let schema = cat["schema"].as_array().unwrap();
    assert_eq!(schema.len(), 1, "{cat}");
    assert_eq!(schema[0]["id"], id);
    assert_eq!(schema[0]["name"], "Invoice");
    assert_eq!(schema[0]["labels"], json!([]));

    assert_eq!(get_ok(&ann, &at(CATEGORIES, id)).await, cat);

    // The default label set is listed with `is_category: true`, and is a label set in its own right.
    let sets = ann.get_all(&format!("{LABEL_SETS}?project={project}")).await;
    assert_eq!(ids(&sets), [id]);
    let set = &sets[0];
    assert_eq!(set["is_category"], true);
    assert_eq!(set["name"], "Invoice");
    assert_eq!(set["project"], project);
    assert_eq!(set["categories"], json!([id]));
    assert_eq!(get_ok(&ann, &at(LABEL_SETS, id)).await, *set);

    // A plain label set is not a category.
    let plain = ann.create(LABEL_SETS, json!({"project": project, "name": "Positions"})).await;
    let set = get_ok(&ann, &at(LABEL_SETS, plain)).await;
    assert_eq!(set["is_category"], false);
    assert_eq!(set["categories"], json!([]));
    let (status, body) = ann.get(&at(CATEGORIES, plain)).await;
    assert_not_found(status, &body);
    let cats = ann.get_all(&format!("{CATEGORIES}?project={project}")).await;
    assert_eq!(ids(&cats), [id], "a plain label set is not listed as a category");
}

#[tokio::test]
async fn the_schema_lists_the_default_set_first_then_linked_sets_with_labels() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let project = ann.create("/api/v3/projects/", json!({"name": "P"})).await;
    // The linked set is made before the category, so its id is smaller: order is not by id.
    let linked = ann
        .create(LABEL_SETS, json!({"project": project, "name": "Positions", "has_multiple_annotation_sets": true}))
        .await;
    let unlinked = ann.create(LABEL_SETS, json!({"project": project, "name": "Unrelated"})).await;
    let cat = ann.create(CATEGORIES, json!({"project": project, "name": "Invoice"})).await;
    assert!(linked < cat);
    let total = ann
        .create(
            LABELS,
            json!({"project": project, "name": "Total", "data_type": "Number", "threshold": 0.5, "label_sets": [cat]}),
        )
        .await;
    let amount = ann.create(LABELS, json!({"project": project, "name": "Amount", "label_sets": [linked]})).await;
    ann.create(LABELS, json!({"project": project, "name": "Other", "label_sets": [unlinked]})).await;
    let (status, body) = ann.patch(&at(LABEL_SETS, linked), json!({"categories": [cat]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let category = get_ok(&ann, &at(CATEGORIES, cat)).await;
    assert_eq!(schema_ids(&category), [cat, linked], "{category}");
    assert_eq!(schema_labels(&category, cat), [total]);
    assert_eq!(schema_labels(&category, linked), [amount]);
    let schema = category["schema"].as_array().unwrap();
    assert_eq!(schema[1]["name"], "Positions");
    assert_eq!(schema[1]["has_multiple_annotation_sets"], true);
    assert_eq!(schema[0]["has_multiple_annotation_sets"], false);
    let label = &schema[0]["labels"][0];
    assert_eq!(label["name"], "Total");
    assert_eq!(label["data_type"], "Number");
    assert_eq!(label["threshold"], 0.5);
    assert_eq!(label["has_multiple_top_candidates"], false);

    // The list serves the same schema.
    let listed = ann.get_all(&format!("{CATEGORIES}?project={project}")).await;
    assert_eq!(listed, [category]);
}

#[tokio::test]
async fn labels_accept_the_sdks_legacy_names_and_the_current_ones() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let project = fx.project;

    // The SDK's create_label body.
    let (status, legacy) = ann
        .post(
            LABELS,
            json!({"project": project, "text": "Net amount", "description": "Before tax", "has_multiple_top_candidates": true,
                   "get_data_type_display": "Number", "templates": [fx.label_set]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{legacy}");
    assert_eq!(legacy["name"], "Net amount");
    assert_eq!(legacy["description"], "Before tax");
    assert_eq!(legacy["has_multiple_top_candidates"], true);
    assert_eq!(legacy["data_type"], "Number");
    assert_eq!(legacy["label_sets"], json!([fx.label_set]));
    assert_eq!(legacy["project"], project);
    assert!(legacy["threshold"].is_number());
    let legacy_id = legacy["id"].as_i64().unwrap();
    assert_eq!(get_ok(&ann, &at(LABELS, legacy_id)).await, legacy);
    let set = get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await;
    assert!(label_ids_of_set(&set).contains(&legacy_id), "{set}");

    // Current names.
    let (status, current) = ann
        .post(
            LABELS,
            json!({"project": project, "name": "Due", "data_type": "Date", "label_sets": [fx.category, fx.label_set]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{current}");
    assert_eq!(current["name"], "Due");
    assert_eq!(current["data_type"], "Date");
    assert_eq!(current["has_multiple_top_candidates"], false);
    assert_eq!(current["label_sets"], json!([fx.category, fx.label_set]));
    let current_id = current["id"].as_i64().unwrap();
    let category = get_ok(&ann, &at(CATEGORIES, fx.category)).await;
    assert!(schema_labels(&category, fx.category).contains(&current_id));
    assert!(schema_labels(&category, fx.label_set).contains(&current_id));

    // `categories` is the older name of `label_sets`; a data type may be sent in any case.
    let (status, aliased) = ann
        .post(
            LABELS,
            json!({"project": project, "name": "Paid", "data_type": "true/false", "categories": [fx.category]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{aliased}");
    assert_eq!(aliased["label_sets"], json!([fx.category]));
    assert_eq!(aliased["data_type"], "True/False");

    // No label set and no data type: a Text label in no set.
    let (status, bare) = ann.post(LABELS, json!({"project": project, "name": "Note"})).await;
    assert_eq!(status, StatusCode::CREATED, "{bare}");
    assert_eq!(bare["data_type"], "Text");
    assert_eq!(bare["label_sets"], json!([]));
}

#[tokio::test]
async fn label_sets_take_both_names_of_the_multiple_flag_and_their_links() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let project = fx.project;
    let second = ann.create(CATEGORIES, json!({"project": project, "name": "Receipt"})).await;

    let (status, legacy) = ann
        .post(
            LABEL_SETS,
            json!({"project": project, "name": "Taxes", "has_multiple_sections": true,
                   "categories": [fx.category, second], "labels": [fx.labels[1]]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{legacy}");
    assert_eq!(legacy["has_multiple_annotation_sets"], true);
    assert_eq!(legacy["is_category"], false);
    assert_eq!(legacy["categories"], json!([fx.category, second]));
    assert_eq!(label_ids_of_set(&legacy), [fx.labels[1]]);
    let label = &legacy["labels"][0];
    assert_eq!(label["name"], "Date");
    assert_eq!(label["data_type"], "Date");
    let taxes = legacy["id"].as_i64().unwrap();

    let (status, current) =
        ann.post(LABEL_SETS, json!({"project": project, "name": "Bank", "has_multiple_annotation_sets": false})).await;
    assert_eq!(status, StatusCode::CREATED, "{current}");
    assert_eq!(current["has_multiple_annotation_sets"], false);
    assert_eq!(current["categories"], json!([]));
    assert_eq!(current["labels"], json!([]));

    // Links show up on the other side: in the categories' schemas and the label's `label_sets`.
    for cat in [fx.category, second] {
        let category = get_ok(&ann, &at(CATEGORIES, cat)).await;
        assert_eq!(*schema_ids(&category).last().unwrap(), taxes, "{category}");
        assert_eq!(schema_labels(&category, taxes), [fx.labels[1]]);
    }
    let date = get_ok(&ann, &at(LABELS, fx.labels[1])).await;
    assert_eq!(date["label_sets"], json!([fx.category, fx.label_set, taxes]));

    // The fixture's set, made with `has_multiple_annotation_sets`.
    let positions = get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await;
    assert_eq!(positions["has_multiple_annotation_sets"], true);
    assert_eq!(positions["categories"], json!([fx.category]));
    assert_eq!(label_ids_of_set(&positions), fx.labels);
}

#[tokio::test]
async fn patch_replaces_links_and_leaves_unsent_ones() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let (total, date) = (fx.labels[0], fx.labels[1]);
    let second = ann.create(CATEGORIES, json!({"project": fx.project, "name": "Receipt"})).await;

    // Label set: replace labels, then categories; a PATCH of the name only keeps both.
    let (status, set) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"labels": [date]})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await, set, "the whole object");
    assert_eq!(label_ids_of_set(&set), [date]);
    assert_eq!(set["categories"], json!([fx.category]));
    let (status, set) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"categories": [second]})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["categories"], json!([second]));
    assert_eq!(label_ids_of_set(&set), [date]);
    let (status, set) =
        ann.patch(&at(LABEL_SETS, fx.label_set), json!({"name": "Lines", "has_multiple_sections": false})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["name"], "Lines");
    assert_eq!(set["has_multiple_annotation_sets"], false);
    assert_eq!(set["categories"], json!([second]));
    assert_eq!(label_ids_of_set(&set), [date]);
    assert_eq!(get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await, set);
    let first = get_ok(&ann, &at(CATEGORIES, fx.category)).await;
    assert_eq!(schema_ids(&first), [fx.category], "unlinked from the first category");
    let other = get_ok(&ann, &at(CATEGORIES, second)).await;
    assert_eq!(schema_ids(&other), [second, fx.label_set]);
    assert_eq!(other["schema"][1]["name"], "Lines");
    let label = get_ok(&ann, &at(LABELS, total)).await;
    assert_eq!(label["label_sets"], json!([fx.category]), "Total left the set");

    // Empty lists clear the links.
    let (status, set) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"categories": [], "labels": []})).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["categories"], json!([]));
    assert_eq!(set["labels"], json!([]));

    // Label: `label_sets` (or an alias) replaces its sets; other fields stay.
    let (status, label) = ann.patch(&at(LABELS, total), json!({"label_sets": [fx.label_set, second]})).await;
    assert_eq!(status, StatusCode::OK, "{label}");
    assert_eq!(get_ok(&ann, &at(LABELS, total)).await, label, "the whole object");
    let mut expected = vec![second, fx.label_set];
    expected.sort();
    assert_eq!(label["label_sets"], json!(expected), "label sets are listed by id");
    assert_eq!(label["data_type"], "Number");
    let (status, label) =
        ann.patch(&at(LABELS, total), json!({"templates": [fx.category], "description": "Sum"})).await;
    assert_eq!(status, StatusCode::OK, "{label}");
    assert_eq!(label["label_sets"], json!([fx.category]));
    assert_eq!(label["description"], "Sum");
    let (status, label) =
        ann.patch(&at(LABELS, total), json!({"text": "Gross", "get_data_type_display": "Percentage"})).await;
    assert_eq!(status, StatusCode::OK, "{label}");
    assert_eq!(label["name"], "Gross");
    assert_eq!(label["data_type"], "Percentage");
    assert_eq!(label["label_sets"], json!([fx.category]));
    assert_eq!(label["description"], "Sum");
    assert_eq!(get_ok(&ann, &at(LABELS, total)).await, label);
    let category = get_ok(&ann, &at(CATEGORIES, fx.category)).await;
    assert_eq!(schema_labels(&category, fx.category), [total, date]);
    assert_eq!(category["schema"][0]["labels"][0]["name"], "Gross");
}

#[tokio::test]
async fn renaming_a_category_renames_its_default_set() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;

    let (status, cat) = ann
        .patch(&at(CATEGORIES, fx.category), json!({"name": "Bill", "description": "Renamed", "threshold": 0.7}))
        .await;
    assert_eq!(status, StatusCode::OK, "{cat}");
    assert_eq!(cat["name"], "Bill");
    assert_eq!(cat["description"], "Renamed");
    assert_eq!(cat["threshold"], 0.7);
    assert_eq!(cat["schema"][0]["name"], "Bill");
    assert_eq!(schema_ids(&cat), [fx.category, fx.label_set], "links survive a rename");
    let set = get_ok(&ann, &at(LABEL_SETS, fx.category)).await;
    assert_eq!(set["name"], "Bill");
    assert_eq!(set["is_category"], true);
    assert_eq!(get_ok(&ann, &at(CATEGORIES, fx.category)).await, cat);

    // A category cannot move to another project.
    let other = ann.create("/api/v3/projects/", json!({"name": "Q"})).await;
    let (status, body) = ann.patch(&at(CATEGORIES, fx.category), json!({"project": other})).await;
    assert_field_error(status, &body, "project");
    assert_eq!(get_ok(&ann, &at(CATEGORIES, fx.category)).await["project"], fx.project);
}

#[tokio::test]
async fn deletes_remove_objects_and_their_links() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let (total, date) = (fx.labels[0], fx.labels[1]);
    let spare =
        ann.create(LABEL_SETS, json!({"project": fx.project, "name": "Spare", "categories": [fx.category]})).await;

    // A label leaves every set it was in.
    let (status, body) = ann.delete(&at(LABELS, total)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = ann.get(&at(LABELS, total)).await;
    assert_not_found(status, &body);
    assert_eq!(label_ids_of_set(&get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await), [date]);
    let category = get_ok(&ann, &at(CATEGORIES, fx.category)).await;
    assert_eq!(schema_labels(&category, fx.category), [date]);
    assert_eq!(ids(&ann.get_all(&format!("{LABELS}?project={}", fx.project)).await), [date]);

    // A plain label set goes; its labels stay.
    let (status, body) = ann.delete(&at(LABEL_SETS, spare)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = ann.get(&at(LABEL_SETS, spare)).await;
    assert_not_found(status, &body);
    assert_eq!(schema_ids(&get_ok(&ann, &at(CATEGORIES, fx.category)).await), [fx.category, fx.label_set]);

    // A category's own set can only go with the category.
    let (status, body) = ann.delete(&at(LABEL_SETS, fx.category)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].is_string(), "{body}");
    assert_eq!(get_ok(&ann, &at(LABEL_SETS, fx.category)).await["is_category"], true);

    let (status, body) = ann.delete(&at(CATEGORIES, fx.category)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = ann.get(&at(CATEGORIES, fx.category)).await;
    assert_not_found(status, &body);
    let (status, body) = ann.get(&at(LABEL_SETS, fx.category)).await;
    assert_not_found(status, &body);
    let (status, body) = ann.delete(&at(CATEGORIES, fx.category)).await;
    assert_not_found(status, &body);
    // Linked label sets and labels stay, without the category.
    let set = get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await;
    assert_eq!(set["categories"], json!([]));
    assert_eq!(label_ids_of_set(&set), [date]);
    assert_eq!(get_ok(&ann, &at(LABELS, date)).await["label_sets"], json!([fx.label_set]));
    let sets = ann.get_all(&format!("{LABEL_SETS}?project={}", fx.project)).await;
    assert_eq!(ids(&sets), [fx.label_set]);
    assert_eq!(ann.get_all(&format!("{CATEGORIES}?project={}", fx.project)).await, Vec::<Value>::new());

    // The category's name is free again.
    ann.create(CATEGORIES, json!({"project": fx.project, "name": "Invoice"})).await;
}

#[tokio::test]
async fn form_encoded_bodies_take_capitalised_booleans_and_repeated_keys() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let project = ann.create("/api/v3/projects/", json!({"name": "P"})).await;
    let p = project.to_string();

    let (status, cat) =
        ann.form(Method::POST, CATEGORIES, &[("project", &p), ("name", "Invoice"), ("threshold", "0.25")]).await;
    assert_eq!(status, StatusCode::CREATED, "{cat}");
    assert_eq!(cat["threshold"], 0.25);
    let cat_id = cat["id"].as_i64().unwrap();
    let c = cat_id.to_string();
    let (status, cat2) = ann.form(Method::POST, CATEGORIES, &[("project", &p), ("name", "Receipt")]).await;
    assert_eq!(status, StatusCode::CREATED, "{cat2}");
    let cat2_id = cat2["id"].as_i64().unwrap();
    let c2 = cat2_id.to_string();

    // The SDK's label: legacy names, `True`, one template.
    let (status, total) = ann
        .form(
            Method::POST,
            LABELS,
            &[
                ("project", &p),
                ("text", "Total"),
                ("get_data_type_display", "Number"),
                ("has_multiple_top_candidates", "True"),
                ("description", "Sum"),
                ("templates", &c),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{total}");
    assert_eq!(total["name"], "Total");
    assert_eq!(total["data_type"], "Number");
    assert_eq!(total["has_multiple_top_candidates"], true);
    assert_eq!(total["label_sets"], json!([cat_id]));
    let total_id = total["id"].as_i64().unwrap();
    let (status, date) = ann
        .form(
            Method::POST,
            LABELS,
            &[
                ("project", &p),
                ("name", "Date"),
                ("has_multiple_top_candidates", "False"),
                ("label_sets", &c),
                ("label_sets", &c2),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{date}");
    assert_eq!(date["has_multiple_top_candidates"], false);
    assert_eq!(date["label_sets"], json!([cat_id, cat2_id]));
    let date_id = date["id"].as_i64().unwrap();
    let (t, d) = (total_id.to_string(), date_id.to_string());

    // A label set with repeated `categories` and `labels`.
    let (status, set) = ann
        .form(
            Method::POST,
            LABEL_SETS,
            &[
                ("project", &p),
                ("name", "Positions"),
                ("has_multiple_sections", "True"),
                ("categories", &c),
                ("categories", &c2),
                ("labels", &t),
                ("labels", &d),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{set}");
    assert_eq!(set["has_multiple_annotation_sets"], true);
    assert_eq!(set["categories"], json!([cat_id, cat2_id]));
    assert_eq!(label_ids_of_set(&set), [total_id, date_id]);
    let set_id = set["id"].as_i64().unwrap();

    let (status, set) = ann
        .form(
            Method::PATCH,
            &at(LABEL_SETS, set_id),
            &[("has_multiple_sections", "False"), ("labels", &d), ("categories", &c2)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["has_multiple_annotation_sets"], false);
    assert_eq!(set["categories"], json!([cat2_id]));
    assert_eq!(label_ids_of_set(&set), [date_id]);
    assert_eq!(schema_ids(&get_ok(&ann, &at(CATEGORIES, cat2_id)).await), [cat2_id, set_id]);
    assert_eq!(schema_ids(&get_ok(&ann, &at(CATEGORIES, cat_id)).await), [cat_id]);

    // Form errors name the field too.
    let (status, resp) =
        ann.form(Method::POST, LABEL_SETS, &[("project", &p), ("name", "X"), ("has_multiple_sections", "Maybe")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{resp}");
    let (status, resp) = ann.form(Method::POST, LABELS, &[("project", &p)]).await;
    assert_field_error(status, &resp, "name");
    assert_eq!(ann.get_all(&format!("{LABEL_SETS}?project={p}")).await.len(), 3);
}
