//! Demo data: a demo user and a project set up for invoices and payslips, made through the API itself.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::{http, users};

pub const DEMO_EMAIL: &str = "demo@lectern.local";
pub const DEMO_PASSWORD: &str = "lectern-demo";
const DEMO_PROJECT: &str = "Demo: invoices and payslips";

/// Creates the demo user and project unless the user already has that project.
pub async fn seed(state: http::AppState) -> anyhow::Result<()> {
    users::upsert_user(&state.db, DEMO_EMAIL, DEMO_PASSWORD).await?;
    let api = Api { app: http::app(state, None), token: String::new() };
    let token = api.call(Method::POST, "/api/v3/auth/", json!({"username": DEMO_EMAIL, "password": DEMO_PASSWORD})).await?;
    let api = Api { token: token["token"].as_str().unwrap_or_default().to_owned(), ..api };

    let projects = api.call(Method::GET, "/api/v3/projects/?limit=1000", Value::Null).await?;
    let exists = projects["results"].as_array().into_iter().flatten().any(|p| p["name"] == DEMO_PROJECT);
    if !exists {
        let project = api.call(Method::POST, "/api/v3/projects/", json!({"name": DEMO_PROJECT})).await?["id"].clone();
        let invoice = api.call(Method::POST, "/api/v3/categories/", json!({"project": project, "name": "Invoice"})).await?["id"].clone();
        let payslip = api.call(Method::POST, "/api/v3/categories/", json!({"project": project, "name": "Payslip"})).await?["id"].clone();
        let label = |name: &'static str, data_type: &'static str, sets: Value| {
            let api = &api;
            let project = project.clone();
            async move {
                let body = json!({"project": project, "name": name, "data_type": data_type, "label_sets": sets});
                anyhow::Ok(api.call(Method::POST, "/api/v3/labels/", body).await?["id"].clone())
            }
        };
        label("Invoice number", "Text", json!([invoice])).await?;
        label("Invoice date", "Date", json!([invoice])).await?;
        label("Total", "Number", json!([invoice])).await?;
        label("Employee", "Text", json!([payslip])).await?;
        label("Net pay", "Number", json!([payslip])).await?;
        let description = label("Description", "Text", json!([])).await?;
        let amount = label("Amount", "Number", json!([])).await?;
        let body = json!({"project": project, "name": "Line item", "has_multiple_annotation_sets": true,
                          "categories": [invoice], "labels": [description, amount]});
        api.call(Method::POST, "/api/v3/label-sets/", body).await?;
        tracing::info!("demo project created");
    }
    println!("Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}");
    Ok(())
}

struct Api {
    app: axum::Router,
    token: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Value) -> anyhow::Result<Value> {
        let mut req = Request::builder().method(method.clone()).uri(path).header(header::CONTENT_TYPE, "application/json");
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
