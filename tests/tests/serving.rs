//! The server around the API: health, OpenAPI and Swagger UI, and the SPA's files with compression,
//! cache headers and the index fallback for client routes.

use lectern_tests::Api;
use lectern_tests::{Server, StatusCode};

/// A dist directory as trunk lays it out: index.html and hashed assets.
fn dist() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lectern-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Lectern</title>".repeat(50)).unwrap();
    std::fs::write(dir.join("lectern-0123456789abcdef_bg.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(dir.join("lectern-0123456789abcdef.js"), "export default 1;\n".repeat(200)).unwrap();
    dir
}

#[tokio::test]
async fn serves_the_spa_with_compression_and_cache_headers() {
    let dist = dist();
    let server = Server::start_with(Some(dist.clone())).await;
    let http = reqwest::Client::new();

    let js =
        http.get(server.url("/lectern-0123456789abcdef.js")).header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert!(js.headers()["cache-control"].to_str().unwrap().contains("immutable"));

    let br = http.get(server.url("/lectern-0123456789abcdef.js")).header("Accept-Encoding", "br").send().await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");

    // A client route gets index.html, never cached, so a new build is picked up at once.
    let route = http.get(server.url("/projects/3/setup")).send().await.unwrap();
    assert_eq!(route.status(), StatusCode::OK);
    assert_eq!(route.headers()["cache-control"], "no-cache");
    assert!(route.text().await.unwrap().contains("<title>Lectern</title>"));

    // Unknown API paths stay JSON 404s instead of falling through to the SPA.
    let (status, body) = server.anonymous().get("/api/v3/nothing-here/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["detail"], "Not found.");
    std::fs::remove_dir_all(dist).unwrap();
}

#[tokio::test]
async fn health_spec_and_swagger_ui_work_offline() {
    let server = Server::start().await;
    let client = server.anonymous();
    let health = reqwest::get(server.url("/health")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let (status, spec) = client.get("/api/v3/schema/").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v3/auth/",
        "/api/v3/projects/{id}/",
        "/api/v3/categories/",
        "/api/v3/labels/",
        "/api/v3/label-sets/{id}/",
    ] {
        assert!(spec["paths"].get(path).is_some(), "spec lacks {path}");
    }
    assert!(spec["components"]["schemas"].get("Project").is_some());

    let ui = reqwest::get(server.url("/v3/swagger/")).await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    let html = ui.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every asset the page needs comes from this server, none from a CDN.
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
    let css = reqwest::get(server.url("/v3/swagger/swagger-ui.css")).await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    let init = reqwest::get(server.url("/v3/swagger/swagger-initializer.js")).await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/v3/schema/"));
}
