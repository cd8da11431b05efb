//! Typed calls to the Lectern API v3: one function per endpoint, errors as `ApiError`.

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use lectern_api::ais::{Ai, AiCreate, TrainingData};
use lectern_api::annotations::{Annotation, AnnotationWrite, BulkUpdate, MissingAnnotation, MissingAnnotationWrite};
use lectern_api::documents::{
    Document, DocumentDetail, DocumentWrite, PageDetail, PostprocessPart, SearchQuery, Spans,
};
use lectern_api::geometry::{PageBox, Span};
use lectern_api::{
    AuthToken, Category, CategoryWrite, Credentials, ErrorBody, Label, LabelSet, LabelSetWrite, LabelWrite, Me,
    Paginated, Project, ProjectSplitting, ProjectWrite,
};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use crate::i18n::{Key, Lang};
use crate::session::Session;

const BASE: &str = "/api/v3";

/// Why a call failed; shown to the user as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server refused the call; `message` is the server's own words, `fields` its messages by field.
    Server { status: u16, message: String, fields: Vec<(Option<String>, Vec<String>)> },
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

    /// The server's messages without the names of their fields, for a place where the field is plain (a file).
    pub fn plain_message(&self, lang: Lang) -> String {
        match self {
            ApiError::Server { fields, .. } if !fields.is_empty() => {
                fields.iter().flat_map(|(_, texts)| texts.iter().cloned()).collect::<Vec<_>>().join(" ")
            }
            other => other.message(lang),
        }
    }

    /// The messages the server gave for `field`.
    pub fn field(&self, field: &str) -> Vec<String> {
        match self {
            ApiError::Server { fields, .. } => {
                fields.iter().filter(|(f, _)| f.as_deref() == Some(field)).flat_map(|(_, t)| t.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A request to `path` with the session's token and language.
fn request(s: Session, method: Method, path: &str) -> RequestBuilder {
    let req = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .header("Accept", "application/json")
        .header("Accept-Language", s.lang.get_untracked().code());
    match s.token.get_untracked() {
        Some(token) => req.header("Authorization", &format!("Token {token}")),
        None => req,
    }
}

/// Sends a request; a 401 ends the session.
async fn send(s: Session, req: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let resp = req.map_err(|_| ApiError::BadResponse)?.send().await.map_err(|_| ApiError::Network)?;
    if resp.ok() {
        return Ok(resp);
    }
    let text = resp.text().await.unwrap_or_default();
    Err(refused(s, resp.status(), &resp.status_text(), &text))
}

/// The error for a refused call, in the server's words; a 401 ends the session.
fn refused(s: Session, status: u16, status_text: &str, text: &str) -> ApiError {
    if status == 401 {
        s.token.try_set(None);
    }
    let body = serde_json::from_str::<ErrorBody>(text).ok();
    let message =
        body.as_ref().map(ErrorBody::message).filter(|m| !m.is_empty()).unwrap_or_else(|| match text.trim() {
            "" => format!("{status} {status_text}"),
            t => t.to_owned(),
        });
    ApiError::Server { status, message, fields: body.map(|b| b.messages()).unwrap_or_default() }
}

/// The answer's body as `T`.
async fn answer<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    resp.json().await.map_err(|_| ApiError::BadResponse)
}

async fn get<T: DeserializeOwned>(s: Session, path: &str) -> Result<T, ApiError> {
    answer(send(s, request(s, Method::GET, path).build()).await?).await
}

/// A `POST` or `PATCH` of `body`.
async fn send_body<T: DeserializeOwned>(
    s: Session,
    method: Method,
    path: &str,
    body: &impl Serialize,
) -> Result<T, ApiError> {
    answer(send(s, request(s, method, path).json(body)).await?).await
}

async fn list<T: DeserializeOwned>(s: Session, resource: &str, project: i64) -> Result<Vec<T>, ApiError> {
    list_by(s, resource, "project", project).await
}

/// Every item (up to the API's page limit) whose `filter` is `project`.
async fn list_by<T: DeserializeOwned>(
    s: Session,
    resource: &str,
    filter: &str,
    project: i64,
) -> Result<Vec<T>, ApiError> {
    let page: Paginated<T> = get(s, &format!("/{resource}/?{filter}={project}&limit=1000")).await?;
    Ok(page.results)
}

async fn delete(s: Session, path: &str) -> Result<(), ApiError> {
    send(s, request(s, Method::DELETE, path).build()).await.map(|_| ())
}

pub async fn login(s: Session, credentials: Credentials) -> Result<AuthToken, ApiError> {
    send_body(s, Method::POST, "/auth/", &credentials).await
}

pub async fn logout(s: Session) -> Result<(), ApiError> {
    delete(s, "/auth/").await
}

pub async fn me(s: Session) -> Result<Me, ApiError> {
    get(s, "/auth/me/").await
}

pub async fn projects(s: Session) -> Result<Vec<Project>, ApiError> {
    let page: Paginated<Project> = get(s, "/projects/?limit=1000").await?;
    Ok(page.results)
}

pub async fn project(s: Session, id: i64) -> Result<Project, ApiError> {
    get(s, &format!("/projects/{id}/")).await
}

pub async fn create_project(s: Session, write: ProjectWrite) -> Result<Project, ApiError> {
    send_body(s, Method::POST, "/projects/", &write).await
}

pub async fn update_project(s: Session, id: i64, write: ProjectWrite) -> Result<Project, ApiError> {
    send_body(s, Method::PATCH, &format!("/projects/{id}/"), &write).await
}

pub async fn delete_project(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/projects/{id}/")).await
}

pub async fn sharing(s: Session, project: i64) -> Result<lectern_api::ProjectSharing, ApiError> {
    get(s, &format!("/projects/{project}/sharing/")).await
}

pub async fn update_sharing(
    s: Session,
    project: i64,
    write: lectern_api::ProjectSharingWrite,
) -> Result<lectern_api::ProjectSharing, ApiError> {
    send_body(s, Method::PATCH, &format!("/projects/{project}/sharing/"), &write).await
}

/// A part of a project's schema the setup page edits: where the API keeps it and the body that writes it.
pub trait SchemaItem: DeserializeOwned {
    const PATH: &'static str;
    type Write: Serialize;
}

impl SchemaItem for Category {
    const PATH: &'static str = "categories";
    type Write = CategoryWrite;
}

impl SchemaItem for LabelSet {
    const PATH: &'static str = "label-sets";
    type Write = LabelSetWrite;
}

impl SchemaItem for Label {
    const PATH: &'static str = "labels";
    type Write = LabelWrite;
}

/// Every item of a kind in `project`.
pub async fn schema_items<T: SchemaItem>(s: Session, project: i64) -> Result<Vec<T>, ApiError> {
    list(s, T::PATH, project).await
}

pub async fn create<T: SchemaItem>(s: Session, write: T::Write) -> Result<T, ApiError> {
    send_body(s, Method::POST, &format!("/{}/", T::PATH), &write).await
}

pub async fn update<T: SchemaItem>(s: Session, id: i64, write: T::Write) -> Result<T, ApiError> {
    send_body(s, Method::PATCH, &format!("/{}/{id}/", T::PATH), &write).await
}

pub async fn remove<T: SchemaItem>(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/{}/{id}/", T::PATH)).await
}

pub async fn categories(s: Session, project: i64) -> Result<Vec<Category>, ApiError> {
    schema_items(s, project).await
}

/// A project with its whole schema, as the setup and AI pages show it.
#[derive(Debug, Clone, Default)]
pub struct ProjectSchema {
    /// `None` until it has loaded.
    pub project: Option<Project>,
    pub categories: Vec<Category>,
    pub label_sets: Vec<LabelSet>,
    pub labels: Vec<Label>,
}

pub async fn project_schema(s: Session, project: i64) -> Result<ProjectSchema, ApiError> {
    Ok(ProjectSchema {
        project: Some(self::project(s, project).await?),
        categories: schema_items(s, project).await?,
        label_sets: schema_items(s, project).await?,
        labels: schema_items(s, project).await?,
    })
}

/// What the documents table shows of a listed document: the fields `documents` asks for, with the review counts
/// the list adds only when asked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DocumentRow {
    pub id: i64,
    pub data_file_name: String,
    pub status_data: i64,
    pub is_reviewed: bool,
    pub category: Option<i64>,
    pub dataset_status: i64,
    pub number_of_pages: u32,
    pub assignee: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub review_counts: AnnotationCounts,
}

/// The `fields` of a `DocumentRow`.
const DOCUMENT_ROW_FIELDS: &str =
    "id,data_file_name,status_data,is_reviewed,category,dataset_status,number_of_pages,assignee,created_at,updated_at,\
     review_counts";

/// A listed document's counts over its annotations, as the detail's `review_counts` has them.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct AnnotationCounts {
    /// AI suggestions awaiting review.
    pub pending: u32,
}

/// One page of documents; `query` is the encoded query string (project, filters, paging).
pub async fn documents(s: Session, query: &str) -> Result<Paginated<DocumentRow>, ApiError> {
    get(s, &format!("/documents/?{query}&fields={DOCUMENT_ROW_FIELDS}")).await
}

/// A project's AIs of one kind (`extraction-ais`, `category-ais` or `splitting-ais`), of all its categories.
pub async fn ais<E: DeserializeOwned>(s: Session, kind: &str, project: i64) -> Result<Vec<Ai<E>>, ApiError> {
    list_by(s, kind, "project_id", project).await
}

/// Starts training a new AI of `kind` for the category or project named in `write`; the server answers at once
/// with the AI queued, which the caller reads with the next list.
pub async fn train(s: Session, kind: &str, write: AiCreate) -> Result<(), ApiError> {
    send_body::<serde::de::IgnoredAny>(s, Method::POST, &format!("/{kind}/"), &write).await.map(|_| ())
}

/// What the project's AIs could be trained on now, and why a training would be refused.
pub async fn training_data(s: Session, project: i64) -> Result<TrainingData, ApiError> {
    get(s, &format!("/projects/{project}/training-data/")).await
}

/// Whether the project splits its multi-page uploads.
pub async fn splitting(s: Session, project: i64) -> Result<ProjectSplitting, ApiError> {
    get(s, &format!("/projects/{project}/splitting/")).await
}

/// Turns splitting of uploads on or off; only the project's owner may.
pub async fn update_splitting(s: Session, project: i64, write: ProjectSplitting) -> Result<ProjectSplitting, ApiError> {
    send_body(s, Method::PATCH, &format!("/projects/{project}/splitting/"), &write).await
}

/// A file outside the API (page image, thumbnail, PDF) with the session's token in the query, since the browser
/// loads these itself without the header; `retry` > 0 busts the cache after a 428.
pub fn file_url(s: Session, path: &str, retry: u32) -> String {
    let mut query = Vec::new();
    if let Some(token) = s.token.get_untracked() {
        query.push(format!("token={token}"));
    }
    if retry > 0 {
        query.push(format!("retry={retry}"));
    }
    match query.is_empty() {
        true => path.to_owned(),
        false => format!("{path}?{}", query.join("&")),
    }
}

/// Splits, turns and reorders a document's pages; the answer lists the resulting documents (§15.1).
/// `POST documents/{id}/postprocess/`; with `drop_annotations` the annotations that cannot follow the pages are
/// deleted, else the server refuses the edit naming them (field `annotations`).
pub async fn postprocess(
    s: Session,
    id: i64,
    parts: Vec<PostprocessPart>,
    drop_annotations: bool,
) -> Result<Vec<DocumentDetail>, ApiError> {
    let query = if drop_annotations { "?drop_annotations=true" } else { "" };
    send_body(s, Method::POST, &format!("/documents/{id}/postprocess/{query}"), &parts).await
}

pub async fn document(s: Session, id: i64) -> Result<DocumentDetail, ApiError> {
    get(s, &format!("/documents/{id}/")).await
}

/// `PATCH /documents/{id}/`: category, name, reviewed.
pub async fn update_document(s: Session, id: i64, write: DocumentWrite) -> Result<Document, ApiError> {
    send_body(s, Method::PATCH, &format!("/documents/{id}/"), &write).await
}

/// Page detail with its words; `number` is 1-based.
pub async fn page(s: Session, document: i64, number: u32) -> Result<PageDetail, ApiError> {
    get(s, &format!("/documents/{document}/pages/{number}/")).await
}

/// `POST /documents/{id}/bbox/`: boxes (drawn or words) to the text spans inside.
pub async fn bbox_spans(s: Session, document: i64, boxes: Vec<PageBox>) -> Result<Vec<Span>, ApiError> {
    let boxes = Spans { span: boxes };
    let answer: Spans<Span> = send_body(s, Method::POST, &format!("/documents/{document}/bbox/"), &boxes).await?;
    Ok(answer.span)
}

/// `POST /documents/{id}/search/`: one span per occurrence of `q`.
pub async fn search(s: Session, document: i64, q: &str) -> Result<Vec<Span>, ApiError> {
    let query = SearchQuery { q: q.to_owned() };
    let answer: Spans<Span> = send_body(s, Method::POST, &format!("/documents/{document}/search/"), &query).await?;
    Ok(answer.span)
}

/// A listed document with nothing but its id (`fields=id`).
#[derive(Deserialize)]
struct DocumentId {
    id: i64,
}

/// The ids of a project's unreviewed documents, for previous/next.
pub async fn unreviewed_documents(s: Session, project: i64) -> Result<Vec<i64>, ApiError> {
    let page: Paginated<DocumentId> =
        get(s, &format!("/documents/?project={project}&is_reviewed=false&fields=id&limit=100")).await?;
    Ok(page.results.into_iter().map(|d| d.id).collect())
}

pub async fn create_annotation(s: Session, write: &AnnotationWrite) -> Result<Annotation, ApiError> {
    send_body(s, Method::POST, "/annotations/", write).await
}

pub async fn update_annotation(s: Session, id: i64, write: &AnnotationWrite) -> Result<Annotation, ApiError> {
    send_body(s, Method::PATCH, &format!("/annotations/{id}/"), write).await
}

pub async fn delete_annotation(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/annotations/{id}/")).await
}

/// `PATCH /documents/{id}/update-annotations/`: accept or decline several at once.
pub async fn update_annotations(s: Session, document: i64, write: &BulkUpdate) -> Result<Vec<Annotation>, ApiError> {
    send_body(s, Method::PATCH, &format!("/documents/{document}/update-annotations/"), write).await
}

pub async fn missing_annotations(s: Session, document: i64) -> Result<Vec<MissingAnnotation>, ApiError> {
    let page: Paginated<MissingAnnotation> =
        get(s, &format!("/missing-annotations/?document={document}&limit=1000")).await?;
    Ok(page.results)
}

/// `POST /missing-annotations/` with a list, as DVUI sends it.
pub async fn create_missing_annotations(
    s: Session,
    entries: &[MissingAnnotationWrite],
) -> Result<Vec<MissingAnnotation>, ApiError> {
    send_body(s, Method::POST, "/missing-annotations/", &entries).await
}

pub async fn delete_missing_annotation(s: Session, id: i64) -> Result<(), ApiError> {
    delete(s, &format!("/missing-annotations/{id}/")).await
}

/// Uploads one file to `POST /documents/` as multipart `data_file` + `project`.
/// XHR, not fetch, so that `progress` can report the share of bytes sent (0 to 1).
pub fn upload(
    s: Session,
    project: i64,
    file: &File,
    progress: impl Fn(f64) + 'static,
    done: impl FnOnce(Result<Document, ApiError>) + 'static,
) {
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            progress(ev.loaded() / ev.total());
        }
    });
    let start = || -> Result<(XmlHttpRequest, FormData), JsValue> {
        let xhr = XmlHttpRequest::new()?;
        xhr.open("POST", &format!("{BASE}/documents/"))?;
        xhr.set_request_header("Accept", "application/json")?;
        xhr.set_request_header("Accept-Language", s.lang.get_untracked().code())?;
        if let Some(token) = s.token.get_untracked() {
            xhr.set_request_header("Authorization", &format!("Token {token}"))?;
        }
        let form = FormData::new()?;
        form.append_with_blob_and_filename("data_file", file, &file.name())?;
        form.append_with_str("project", &project.to_string())?;
        xhr.upload()?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        Ok((xhr, form))
    };
    let (xhr, form) = match start() {
        Ok(started) => started,
        Err(_) => return done(Err(ApiError::Network)),
    };
    let answered = xhr.clone();
    // Runs once, when the request has ended in any way; it frees both closures.
    let on_end = Closure::once_into_js(move || {
        drop(on_progress);
        let status = answered.status().unwrap_or(0);
        let text = answered.response_text().ok().flatten().unwrap_or_default();
        done(match status {
            0 => Err(ApiError::Network),
            200..=299 => serde_json::from_str(&text).map_err(|_| ApiError::BadResponse),
            _ => Err(refused(s, status, &answered.status_text().unwrap_or_default(), &text)),
        })
    });
    xhr.set_onloadend(Some(on_end.unchecked_ref()));
    // Network failures end in `loadend` too; `send` itself only throws on misuse.
    let _ = xhr.send_with_opt_form_data(Some(&form));
}
