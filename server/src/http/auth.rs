//! Authentication: token login and logout, `auth/me`, and the extractor every protected handler uses.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::Json;
use base64::Engine;
use lectern_api::{AuthToken, Credentials, Me};
use rand::RngCore;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::error::{Body, Error, Result};
use super::AppState;
use crate::{db, users};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, logout)).routes(routes!(me))
}

/// The caller, authenticated by `Authorization: Token …`, `Authorization: Basic …` or `?token=…`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        MaybeAuthUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(|| Error::Unauthorized("Authentication credentials were not provided.".into()))
    }
}

/// The caller when the request carries credentials, `None` when it carries none (public documents, §19).
/// Wrong credentials are still a 401.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if let Some(value) = header {
            let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
            let user = match scheme.to_ascii_lowercase().as_str() {
                "token" | "bearer" => user_by_token(state, rest.trim()).await,
                "basic" => user_by_basic(state, rest.trim(), client_address(&parts.extensions)).await,
                _ => Err(Error::Unauthorized(format!("Unsupported authorization scheme \"{scheme}\"."))),
            };
            return user.map(|u| MaybeAuthUser(Some(u)));
        }
        let query_token = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned())
        });
        match query_token {
            Some(token) => Ok(MaybeAuthUser(Some(user_by_token(state, &token).await?))),
            None => Ok(MaybeAuthUser(None)),
        }
    }
}

async fn user_by_token(state: &AppState, token: &str) -> Result<AuthUser> {
    let row = sqlx::query("SELECT u.id, u.email FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.key = $1")
        .bind(token)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| Error::Unauthorized("Invalid token.".into()))?;
    Ok(AuthUser { id: row.get("id"), email: row.get("email") })
}

fn client_address(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

async fn user_by_basic(state: &AppState, encoded: &str, addr: Option<IpAddr>) -> Result<AuthUser> {
    let invalid = || Error::Unauthorized("Invalid basic header. Credentials not correctly base64 encoded.".into());
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (email, password) = decoded.split_once(':').ok_or_else(invalid)?;
    let id = authenticate(state, email, password, addr)
        .await?
        .ok_or_else(|| Error::Unauthorized("Invalid username/password.".into()))?;
    Ok(AuthUser { id, email: users::normalize_email(email) })
}

/// The user's id when the password is right, under the rate limit of failed attempts per account and
/// address that login and Basic credentials share.
async fn authenticate(state: &AppState, email: &str, password: &str, addr: Option<IpAddr>) -> Result<Option<i64>> {
    let key = (users::normalize_email(email), addr);
    if let Some(secs) = state.login_limiter.retry_after(&key) {
        return Err(Error::TooManyRequests(format!("Too many failed login attempts. Try again in {secs} seconds.")));
    }
    let user = check_password(state, email, password).await?;
    match user {
        Some(_) => state.login_limiter.clear(&key),
        None => state.login_limiter.record_failure(key),
    }
    Ok(user)
}

/// The user's id when the password is right. Argon2 runs off the async threads.
async fn check_password(state: &AppState, email: &str, password: &str) -> Result<Option<i64>> {
    let Some((id, hash)) = users::find_by_email(&state.db, email).await? else {
        return Ok(None);
    };
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || users::verify_password(&password, &hash))
        .await
        .map_err(anyhow::Error::from)?;
    Ok(ok.then_some(id))
}

/// Failed logins per (account, address): after `MAX_FAILURES` within `WINDOW` the pair is refused
/// until the window has passed. Kept in memory, so it is per server process.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<(String, Option<IpAddr>), Vec<Instant>>>,
}

const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    /// Seconds to wait when the pair is locked out.
    fn retry_after(&self, key: &(String, Option<IpAddr>)) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap();
        let list = failures.get_mut(key)?;
        list.retain(|t| t.elapsed() < WINDOW);
        (list.len() >= MAX_FAILURES).then(|| (WINDOW - list[0].elapsed()).as_secs() + 1)
    }

    fn record_failure(&self, key: (String, Option<IpAddr>)) {
        let mut failures = self.failures.lock().unwrap();
        if failures.len() > 100_000 {
            failures.retain(|_, list| list.iter().any(|t| t.elapsed() < WINDOW));
        }
        failures.entry(key).or_default().push(Instant::now());
    }

    fn clear(&self, key: &(String, Option<IpAddr>)) {
        self.failures.lock().unwrap().remove(key);
    }
}

/// Log in with email and password and get the account's token.
#[utoipa::path(post, path = "/api/v3/auth/", tag = "auth", request_body = Credentials,
    responses((status = 200, body = AuthToken), (status = 400, description = "Bad credentials"),
              (status = 429, description = "Too many failed attempts")))]
async fn login(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Body(creds): Body<Credentials>,
) -> Result<Json<AuthToken>> {
    let Some(user_id) = authenticate(&state, &creds.username, &creds.password, client_address(&extensions)).await? else {
        return Err(Error::field("non_field_errors", "Unable to log in with provided credentials."));
    };
    Ok(Json(AuthToken { token: token_for(&state.db, user_id).await? }))
}

/// Like the reference server (DRF's token auth), each account has one token, made on first login.
async fn token_for(db: &db::Db, user_id: i64) -> Result<String> {
    if let Some(row) = sqlx::query("SELECT key FROM tokens WHERE user_id = $1").bind(user_id).fetch_optional(db).await? {
        return Ok(row.get("key"));
    }
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query("INSERT INTO tokens (key, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(&key)
        .bind(user_id)
        .bind(db::now())
        .execute(db)
        .await?;
    Ok(key)
}

/// Revoke the caller's token.
#[utoipa::path(delete, path = "/api/v3/auth/", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, user: AuthUser) -> Result<StatusCode> {
    // An account has one token (see `token_for`), so this is the token the caller used, or the
    // account's token when the caller came with Basic credentials.
    sqlx::query("DELETE FROM tokens WHERE user_id = $1").bind(user.id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calling user.
#[utoipa::path(get, path = "/api/v3/auth/me/", tag = "auth", responses((status = 200, body = Me)))]
async fn me(user: AuthUser) -> Json<Me> {
    Json(Me { id: user.id, username: user.email.clone(), email: user.email })
}
