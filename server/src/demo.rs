//! Demo data: a demo user, a project set up for invoices and payslips, and processed invoices full of AI suggestions to review.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::domain::annotations::write::{self, Suggestion};
use crate::domain::users;
use crate::http;
use crate::sample_pdf::{document, Page};
use crate::state::AppState;

pub const DEMO_EMAIL: &str = "demo@lectern.local";
pub const DEMO_PASSWORD: &str = "lectern-demo";
const DEMO_PROJECT: &str = "Demo: invoices and payslips";

/// Creates the demo user and project unless the user already has that project.
pub async fn seed(state: AppState) -> anyhow::Result<()> {
    users::upsert_user(&state.db, DEMO_EMAIL, DEMO_PASSWORD).await?;
    let api = Api { app: http::app(state.clone(), None), token: String::new() };
    let token =
        api.call(Method::POST, "/api/v3/auth/", json!({"username": DEMO_EMAIL, "password": DEMO_PASSWORD})).await?;
    let api = Api { token: token["token"].as_str().unwrap_or_default().to_owned(), ..api };

    let projects = api.call(Method::GET, "/api/v3/projects/?limit=1000", Value::Null).await?;
    let exists = projects["results"].as_array().into_iter().flatten().any(|p| p["name"] == DEMO_PROJECT);
    if !exists {
        let project = api.call(Method::POST, "/api/v3/projects/", json!({"name": DEMO_PROJECT})).await?["id"].clone();
        let invoice =
            api.call(Method::POST, "/api/v3/categories/", json!({"project": project, "name": "Invoice"})).await?["id"]
                .clone();
        let payslip =
            api.call(Method::POST, "/api/v3/categories/", json!({"project": project, "name": "Payslip"})).await?["id"]
                .clone();
        let label = |name: &'static str, data_type: &'static str, sets: Value| {
            let api = &api;
            let project = project.clone();
            async move {
                let body = json!({"project": project, "name": name, "data_type": data_type, "label_sets": sets});
                anyhow::Ok(api.call(Method::POST, "/api/v3/labels/", body).await?["id"].clone())
            }
        };
        let number = label("Invoice number", "Text", json!([invoice])).await?;
        let date = label("Invoice date", "Date", json!([invoice])).await?;
        let total = label("Total", "Number", json!([invoice])).await?;
        label("Employee", "Text", json!([payslip])).await?;
        label("Net pay", "Number", json!([payslip])).await?;
        let description = label("Description", "Text", json!([])).await?;
        let amount = label("Amount", "Number", json!([])).await?;
        let body = json!({"project": project, "name": "Line item", "has_multiple_annotation_sets": true,
                          "categories": [invoice], "labels": [description, amount]});
        api.call(Method::POST, "/api/v3/label-sets/", body).await?;
        let labels = [("Invoice number", number), ("Invoice date", date), ("Total", total)];
        for (i, (no, day, sum)) in
            [("2024-001", "2024-03-01", "119,00"), ("2024-002", "2024-03-15", "42,50")].into_iter().enumerate()
        {
            let lines = [
                format!("Invoice {no}"),
                format!("Date: {day}"),
                "Consulting 100,00".into(),
                format!("Total: {sum} EUR"),
            ];
            let pdf = invoice_pdf(&lines);
            let path = format!("/api/v3/documents/?project={project}");
            let doc = api.upload(&path, &format!("invoice-{}.pdf", i + 1), &project, &invoice, pdf).await?;
            let (id, text) = (doc["id"].as_i64().unwrap_or(0), doc["text"].as_str().unwrap_or("").to_owned());
            let mut suggestions = Vec::new();
            for ((_, label), (value, confidence)) in labels.iter().zip([(no, 0.93), (day, 0.81), (sum, 0.67)]) {
                if let Some(at) = text.find(value) {
                    let start = text[..at].chars().count();
                    let label = label.as_i64().unwrap_or(0);
                    let end = start + value.chars().count();
                    suggestions.push(Suggestion {
                        label,
                        label_set: None,
                        start_offset: start,
                        end_offset: end,
                        confidence,
                        group: None,
                    });
                }
            }
            write::suggest(&state, id, &suggestions).await.map_err(|e| anyhow::anyhow!("suggestions: {e:?}"))?;
        }
        tracing::info!("demo project created");
    }
    println!("Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}");
    Ok(())
}

/// A one-page A4 invoice with `lines` of text in Courier, the way a simple invoice generator writes it.
fn invoice_pdf(lines: &[String]) -> Vec<u8> {
    let page = lines
        .iter()
        .enumerate()
        .fold(Page::a4(), |page, (i, line)| page.text(72.0, 760.0 - 30.0 * i as f64, 12.0, line));
    document(&[page])
}

struct Api {
    app: axum::Router,
    token: String,
}

impl Api {
    /// Uploads a PDF with `sync=True` (processed before the answer) into the project and category.
    async fn upload(
        &self,
        path: &str,
        name: &str,
        project: &Value,
        category: &Value,
        pdf: Vec<u8>,
    ) -> anyhow::Result<Value> {
        let boundary = "lectern-demo-boundary";
        let mut body = Vec::new();
        for (field, value) in
            [("project", project.to_string()), ("category", category.to_string()), ("sync", "True".into())]
        {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"data_file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").bytes(),
        );
        body.extend(pdf);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path.split('?').next().unwrap_or(path))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::AUTHORIZATION, format!("Token {}", self.token))
            .body(Body::from(body))?;
        let resp = self.app.clone().oneshot(req).await?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
        anyhow::ensure!(
            status == StatusCode::CREATED,
            "upload of {name} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> anyhow::Result<Value> {
        let mut req =
            Request::builder().method(method.clone()).uri(path).header(header::CONTENT_TYPE, "application/json");
        if !self.token.is_empty() {
            req = req.header(header::AUTHORIZATION, format!("Token {}", self.token));
        }
        let body = if body.is_null() { Body::empty() } else { Body::from(body.to_string()) };
        let resp = self.app.clone().oneshot(req.body(body)?).await?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
        anyhow::ensure!(
            status == StatusCode::OK || status == StatusCode::CREATED,
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(serde_json::from_slice(&bytes)?)
    }
}
