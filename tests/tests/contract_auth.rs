//! Authentication (§2): login, the four ways to authenticate a request, logout, `auth/me`, and the
//! login rate limit; in-process (`TestApp`).

use axum::body::Body;
use lectern_tests::app::TestApp;
use lectern_tests::{keys, Api, StatusCode, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const LOGIN: &str = "/api/v3/auth/";
const ME: &str = "/api/v3/auth/me/";

fn is_token(value: &Value) -> bool {
    value.as_str().is_some_and(|t| t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
}

fn token_of(body: &Value) -> String {
    assert_eq!(keys(body), ["token"], "{body}");
    assert!(is_token(&body["token"]), "not a 40-hex token: {body}");
    body["token"].as_str().unwrap().to_owned()
}

/// A 401 in DRF's shape: `{"detail": "<message>"}`.
fn assert_unauthorized(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(keys(body), ["detail"], "{body}");
    assert!(!body["detail"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn login_with_json_or_form_gives_the_accounts_one_token() {
    let app = TestApp::new().await;
    let user = app.user("ann@example.com").await;
    let first = user.token.clone().unwrap();
    assert!(is_token(&json!(first)));
    let anon = app.anonymous();

    let (status, body) = anon.post(LOGIN, json!({"username": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(token_of(&body), first, "a second login returns the same token");

    let (status, body) =
        anon.form(Method::POST, LOGIN, &[("username", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(token_of(&body), first, "a form login returns the same token");

    // The email is matched without regard to case or surrounding space.
    let (status, body) = anon.post(LOGIN, json!({"username": " ANN@Example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(token_of(&body), first);

    // Each account has its own token.
    let bob = app.user("bob@example.com").await;
    assert_ne!(bob.token, user.token);
}

#[tokio::test]
async fn bad_credentials_are_a_400() {
    let app = TestApp::new().await;
    app.user("ann@example.com").await;
    let anon = app.anonymous();
    for creds in [
        json!({"username": "ann@example.com", "password": "wrong-password"}),
        json!({"username": "nobody@example.com", "password": PASSWORD}),
        json!({"username": "ann@example.com", "password": ""}),
    ] {
        let (status, body) = anon.post(LOGIN, creds.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{creds}: {body}");
        assert!(body.get("token").is_none(), "{body}");
        let messages = body["non_field_errors"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert!(!messages.is_empty());
    }
}

#[tokio::test]
async fn missing_login_fields_are_named() {
    let app = TestApp::new().await;
    app.user("ann@example.com").await;
    let anon = app.anonymous();

    let (status, body) = anon.post(LOGIN, json!({"password": PASSWORD})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["username"][0].is_string(), "{body}");

    let (status, body) = anon.post(LOGIN, json!({"username": "ann@example.com"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["password"][0].is_string(), "{body}");

    let (status, body) = anon.form(Method::POST, LOGIN, &[("username", "ann@example.com")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["password"][0].is_string(), "{body}");

    let (status, body) = anon.form(Method::POST, LOGIN, &[("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["username"][0].is_string(), "{body}");

    let (status, body) = anon.post(LOGIN, json!(["ann@example.com", PASSWORD])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a body must be an object: {body}");
    assert!(body["detail"].is_string(), "{body}");

    // A missing field is not a failed login: the account can still log in right away.
    let (status, body) = anon.post(LOGIN, json!({"username": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn every_auth_form_works_on_a_protected_endpoint() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let token = ann.token.clone().unwrap();
    let anon = app.anonymous();
    let (_, me) = ann.get(ME).await;
    let ann_id = me["id"].as_i64().unwrap();

    // Token header.
    let (status, body) = ann.get(ME).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "ann@example.com");

    // Basic base64(email:password).
    let (status, body) = anon.basic(Method::GET, ME, "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], ann_id);

    // ?token= in the query string.
    let (status, body) = anon.get(&format!("{ME}?token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], ann_id);
    let (status, body) = anon.get(&format!("/api/v3/projects/?limit=5&token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 0);

    // None at all.
    let answer = anon.raw(Method::GET, "/api/v3/projects/", &[], Body::empty()).await;
    assert_eq!(answer.headers["www-authenticate"], "Token", "a 401 names the scheme");
    let (status, body) = (answer.status, answer.body);
    assert_unauthorized(status, &body);
    let (status, body) = anon.get(ME).await;
    assert_unauthorized(status, &body);
    let (status, body) = anon.post("/api/v3/projects/", json!({"name": "P"})).await;
    assert_unauthorized(status, &body);
}

#[tokio::test]
async fn wrong_credentials_on_a_request_are_a_401() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let anon = app.anonymous();

    let (status, body) = anon.basic(Method::GET, ME, "ann@example.com", "wrong-password").await;
    assert_unauthorized(status, &body);

    let (status, body) = anon.basic(Method::GET, ME, "nobody@example.com", PASSWORD).await;
    assert_unauthorized(status, &body);

    let answer = anon.raw(Method::GET, ME, &[("authorization", "Basic not-base64!")], Body::empty()).await;
    let (status, body) = (answer.status, answer.body);
    assert_unauthorized(status, &body);

    let bogus = "0123456789abcdef0123456789abcdef01234567";
    assert_ne!(ann.token.as_deref(), Some(bogus));
    let (status, body) = app.with_token(bogus).get(ME).await;
    assert_unauthorized(status, &body);
    let (status, body) = anon.get(&format!("{ME}?token={bogus}")).await;
    assert_unauthorized(status, &body);

    // A token header wins over a valid query token: a bad header is not silently ignored.
    let good = ann.token.clone().unwrap();
    let (status, body) = app.with_token(bogus).get(&format!("{ME}?token={good}")).await;
    assert_unauthorized(status, &body);

    // The real token still works.
    let (status, _) = ann.get(ME).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_token_and_login_makes_a_new_one() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let old = ann.token.clone().unwrap();

    let (status, body) = app.anonymous().delete(LOGIN).await;
    assert_unauthorized(status, &body);

    let (status, body) = ann.delete(LOGIN).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = ann.get(ME).await;
    assert_unauthorized(status, &body);
    let (status, body) = ann.get("/api/v3/projects/").await;
    assert_unauthorized(status, &body);
    let (status, body) = app.anonymous().get(&format!("{ME}?token={old}")).await;
    assert_unauthorized(status, &body);

    // Other accounts keep their tokens.
    let (status, body) = bob.get(ME).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "bob@example.com");

    let (status, body) =
        app.anonymous().post(LOGIN, json!({"username": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = token_of(&body);
    assert_ne!(new, old);
    let (status, body) = app.with_token(&new).get(ME).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "ann@example.com");
    let (status, body) = app.with_token(&old).get(ME).await;
    assert_unauthorized(status, &body);
}

#[tokio::test]
async fn me_describes_the_caller() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;

    let (status, a) = ann.get(ME).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["username"], "ann@example.com");
    assert_eq!(a["email"], "ann@example.com");
    assert!(a["id"].as_i64().is_some_and(|id| id > 0), "{a}");

    let (status, b) = bob.get(ME).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["username"], "bob@example.com");
    assert_ne!(a["id"], b["id"]);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_but_not_others() {
    let app = TestApp::new().await;
    app.user("ann@example.com").await;
    app.user("bob@example.com").await;
    app.user("cid@example.com").await;
    let anon = app.anonymous();
    let wrong = |email: &str| json!({"username": email, "password": "wrong-password"});
    let right = |email: &str| json!({"username": email, "password": PASSWORD});

    // Four failures and then the right password: still allowed.
    for _ in 0..4 {
        let (status, body) = anon.post(LOGIN, wrong("cid@example.com")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, body) = anon.post(LOGIN, right("cid@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Five failures: the sixth attempt is refused even with the right password.
    for i in 0..5 {
        let (status, body) = anon.post(LOGIN, wrong("ann@example.com")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "attempt {i}: {body}");
    }
    let (status, body) = anon.post(LOGIN, right("ann@example.com")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["detail"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body.get("token").is_none());
    let (status, _) = anon.post(LOGIN, right(" ANN@example.com")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the lock holds for every spelling of the email");
    let (status, _) = anon.form(Method::POST, LOGIN, &[("username", "ann@example.com"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Another account logs in as usual.
    let (status, body) = anon.post(LOGIN, right("bob@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    token_of(&body);
}

#[tokio::test]
async fn wrong_basic_passwords_count_towards_the_login_limit() {
    let app = TestApp::new().await;
    app.user("ann@example.com").await;
    let anon = app.anonymous();
    for _ in 0..5 {
        let (status, body) = anon.basic(Method::GET, ME, "ann@example.com", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // Guessing through Basic locks the account for Basic and for the login endpoint alike.
    let (status, body) = anon.basic(Method::GET, ME, "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, body) = anon.post(LOGIN, json!({"username": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}
