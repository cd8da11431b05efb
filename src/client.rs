//! Typed calls to the Lectern API v3: one function per endpoint, errors as `ApiError`.

use gloo_net::http::{Method, RequestBuilder, Response};
use lectern_api::{
    AuthToken, Category, CategoryWrite, Credentials, ErrorBody, Label, LabelSet, LabelSetWrite,
    LabelWrite, Me, Paginated, Project, ProjectWrite,
};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::app::Session;
use crate::i18n::{Key, Lang};

const BASE: &str = "/api/v3";

/// Why a call failed; shown to the user as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server refused the call; `message` is the server's own words.
    Server { status: u16, message: String },
    /// No answer at all.
    Network,
    /// An answer that is not what the API promises.
    BadResponse,
}

impl ApiError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Server { message, .. } => message.clone(),
            ApiError::Network => lang.text(Key::NetworkError).to_owned(),
            ApiError::BadResponse => lang.text(Key::BadResponse).to_owned(),
        }
    }
}

/// Sends one request with the session's token and language; a 401 ends the session.
async fn send(
    s: Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Response, ApiError> {
    let mut req = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .header("Accept", "application/json")
        .header("Accept-Language", s.lang.get_untracked().code());
    if let Some(token) = s.token.get_untracked() {
        req = req.header("Authorization", &format!("Token {token}"));
    }
    let req = match body {
        Some(body) => req.json(&body),
        None => req.build(),
    }
    .map_err(|_| ApiError::BadResponse)?;
    let resp = req.send().await.map_err(|_| ApiError::Network)?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    if status == 401 {
        s.token.set(None);
    }
    let text = resp.text().await.unwrap_or_default();
    let message = serde_json::from_str::<ErrorBody>(&text)
        .map(|b| b.message())
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| match text.trim() {
            "" => format!("{status} {}", resp.status_text()),
            t => t.to_owned(),
        });
    Err(ApiError::Server { status, message })
}

async fn json<T: DeserializeOwned>(
    s: Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<T, ApiError> {
    send(s, method, path, body)
        .await?
        .json()
        .await
        .map_err(|_| ApiError::BadResponse)
}

async fn list<T: DeserializeOwned>(
    s: Session,
    resource: &str,
    project: i64,
) -> Result<Vec<T>, ApiError> {
    let page: Paginated<T> = json(
        s,
        Method::GET,
        &format!("/{resource}/?project={project}&limit=1000"),
        None,
    )
    .await?;
    Ok(page.results)
}

async fn delete(s: Session, path: &str) -> Result<(), ApiError> {
    send(s, Method::DELETE, path, None).await.map(|_| ())
}

fn body(value: &impl Serialize) -> Option<Value> {
    serde_json::to_value(value).ok()
}

pub async fn login(s: Session, credentials: Credentials) -> Result<AuthToken, ApiError> {
    json(s, Method::POST, "/auth/", body(&credentials)).await
}

pub async fn logout(s: Session) -> Result<(), ApiError> {
    delete(s, "/auth/").await
}

pub async fn me(s: Session) -> Result<Me, ApiError> {
    json(s, Method::GET, "/auth/me/", None).await
}

pub async fn projects(s: Session) -> Result<Vec<Project>, ApiError> {
    let page: Paginated<Project> = json(s, Method::GET, "/projects/?limit=1000", None).await?;
    Ok(page.results)
}

pub async fn project(s: Session, id: i64) -> Result<Project, ApiError> {
    json(s, Method::GET, &format!("/projects/{id}/"), None).await
}

pub async fn create_project(s: Session, write: ProjectWrite) -> Result<Project, ApiError> {
    json(s, Method::POST, "/projects/", body(&write)).await
}

pub async fn update_project(s: Session, id: i64, write: ProjectWrite) -> Result<Project, ApiError> {
    json(s, Method::PATCH, &format!("/projects/{id}/"), body(&write)).await
}

pub async fn delete_project(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/projects/{id}/")).await
}

pub async fn categories(s: Session, project: i64) -> Result<Vec<Category>, ApiError> {
    list(s, "categories", project).await
}

pub async fn create_category(s: Session, write: CategoryWrite) -> Result<Category, ApiError> {
    json(s, Method::POST, "/categories/", body(&write)).await
}

pub async fn update_category(
    s: Session,
    id: i64,
    write: CategoryWrite,
) -> Result<Category, ApiError> {
    json(
        s,
        Method::PATCH,
        &format!("/categories/{id}/"),
        body(&write),
    )
    .await
}

pub async fn delete_category(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/categories/{id}/")).await
}

pub async fn label_sets(s: Session, project: i64) -> Result<Vec<LabelSet>, ApiError> {
    list(s, "label-sets", project).await
}

pub async fn create_label_set(s: Session, write: LabelSetWrite) -> Result<LabelSet, ApiError> {
    json(s, Method::POST, "/label-sets/", body(&write)).await
}

pub async fn update_label_set(
    s: Session,
    id: i64,
    write: LabelSetWrite,
) -> Result<LabelSet, ApiError> {
    json(
        s,
        Method::PATCH,
        &format!("/label-sets/{id}/"),
        body(&write),
    )
    .await
}

pub async fn delete_label_set(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/label-sets/{id}/")).await
}

pub async fn labels(s: Session, project: i64) -> Result<Vec<Label>, ApiError> {
    list(s, "labels", project).await
}

pub async fn create_label(s: Session, write: LabelWrite) -> Result<Label, ApiError> {
    json(s, Method::POST, "/labels/", body(&write)).await
}

pub async fn update_label(s: Session, id: i64, write: LabelWrite) -> Result<Label, ApiError> {
    json(s, Method::PATCH, &format!("/labels/{id}/"), body(&write)).await
}

pub async fn delete_label(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/labels/{id}/")).await
}
