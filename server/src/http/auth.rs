//! Authentication: token login and logout, `auth/me`, and the extractor every protected handler uses.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::Json;
use base64::Engine;
use lectern_api::{AuthToken, Credentials, Me};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::error::Body;
use crate::domain::users;
use crate::error::{Error, Result};
use crate::state::AppState;

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
    let user = users::by_token(&state.db, token).await?.ok_or_else(|| Error::Unauthorized("Invalid token.".into()))?;
    Ok(AuthUser { id: user.id, email: user.email })
}

fn client_address(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

async fn user_by_basic(state: &AppState, encoded: &str, addr: Option<IpAddr>) -> Result<AuthUser> {
    let invalid = || Error::Unauthorized("Invalid basic header. Credentials not correctly base64 encoded.".into());
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid())?;
    let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (email, password) = decoded.split_once(':').ok_or_else(invalid)?;
    let id = users::authenticate(&state.db, &state.login_limiter, email, password, addr)
        .await?
        .ok_or_else(|| Error::Unauthorized("Invalid username/password.".into()))?;
    Ok(AuthUser { id, email: users::normalize_email(email) })
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
    let addr = client_address(&extensions);
    let user = users::authenticate(&state.db, &state.login_limiter, &creds.username, &creds.password, addr).await?;
    let Some(user_id) = user else {
        return Err(Error::field("non_field_errors", "Unable to log in with provided credentials."));
    };
    Ok(Json(AuthToken { token: users::token_for(&state.db, user_id).await? }))
}

/// Revoke the caller's token.
#[utoipa::path(delete, path = "/api/v3/auth/", tag = "auth", responses((status = 204)))]
async fn logout(State(state): State<AppState>, user: AuthUser) -> Result<StatusCode> {
    // An account has one token, so this is the token the caller used, or the account's token when the caller
    // came with Basic credentials.
    users::revoke_token(&state.db, user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calling user.
#[utoipa::path(get, path = "/api/v3/auth/me/", tag = "auth", responses((status = 200, body = Me)))]
async fn me(user: AuthUser) -> Json<Me> {
    Json(Me { id: user.id, username: user.email.clone(), email: user.email })
}
