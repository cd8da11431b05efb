//! A project to train extraction AIs in: the generated invoices' labels, and generated invoices uploaded
//! through the real pipeline and annotated through the API as a person would.

use std::collections::HashMap;

use lectern_server::ai::corpus::{self, Invoice};
use serde_json::json;

use crate::{Api, Client, Server, StatusCode};

/// A project whose category has the invoice's header labels in its default label set and the line item labels
/// in a repeating label set.
pub struct InvoiceProject {
    pub client: Client,
    pub project: i64,
    pub category: i64,
    /// Label name → (label id, label set id).
    pub ids: HashMap<&'static str, (i64, i64)>,
}

impl InvoiceProject {
    /// Creates the user `email` and, as them, the project "Invoices" with the category "Invoice".
    pub async fn create(server: &Server, email: &str) -> InvoiceProject {
        let client = server.user(email).await;
        let project = client.create("/api/v3/projects/", json!({"name": "Invoices"})).await;
        let category = client.create("/api/v3/categories/", json!({"project": project, "name": "Invoice"})).await;
        let items = client
            .create(
                "/api/v3/label-sets/",
                json!({"project": project, "name": corpus::ITEM_SET, "has_multiple_annotation_sets": true, "categories": [category]}),
            )
            .await;
        let mut ids = HashMap::new();
        for (labels, set) in [(&corpus::HEADER_LABELS[..], category), (&corpus::ITEM_LABELS[..], items)] {
            for name in labels {
                let label = client
                    .create("/api/v3/labels/", json!({"project": project, "name": name, "label_sets": [set]}))
                    .await;
                ids.insert(*name, (label, set));
            }
        }
        InvoiceProject { client, project, category, ids }
    }

    /// Uploads the invoice into the category with `dataset_status` (2 training, 3 test) and annotates its values
    /// as a person would, one annotation set per line item; returns the document id.
    pub async fn add_invoice(&self, invoice: &Invoice, dataset_status: i64) -> i64 {
        let category = self.category.to_string();
        let status = dataset_status.to_string();
        let fields = [("sync", "True"), ("category", category.as_str()), ("dataset_status", status.as_str())];
        let doc = self.client.upload_ok(self.project, "invoice.pdf", invoice.pdf(), &fields).await;
        assert_eq!(doc["status_data"], 2, "{doc}");
        assert_eq!(doc["text"], invoice.text_lines().join("\n"), "the pipeline reads the generated lines");
        let id = doc["id"].as_i64().unwrap();
        let mut sets: HashMap<i64, i64> = HashMap::new();
        for a in invoice.annotations(|name| self.ids[name]) {
            let place = match sets.get(&a.group) {
                Some(set) => json!({"annotation_set": set}),
                None => json!({"label_set": a.label_set}),
            };
            let mut body =
                json!({"document": id, "label": a.label, "span": [{"start_offset": a.start, "end_offset": a.end}]});
            body.as_object_mut().unwrap().extend(place.as_object().unwrap().clone());
            let (code, created) = self.client.post("/api/v3/annotations/", body.clone()).await;
            assert_eq!(code, StatusCode::CREATED, "{body}: {created}");
            sets.insert(a.group, created["annotation_set"].as_i64().unwrap());
        }
        id
    }

    /// Sets the `dataset_status` of the documents.
    pub async fn set_dataset_status(&self, docs: &[i64], dataset_status: i64) {
        for doc in docs {
            let (code, body) = self
                .client
                .patch(&format!("/api/v3/documents/{doc}/"), json!({"dataset_status": dataset_status}))
                .await;
            assert_eq!(code, StatusCode::OK, "{body}");
        }
    }
}
