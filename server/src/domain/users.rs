//! User accounts: passwords (argon2), the one token of each account, and the limit on failed logins.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use crate::db::{self, Db};
use crate::error::{Error, Result};

/// A signed-in user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Creates a user, or sets the password of an existing one; returns the user's id.
pub async fn upsert_user(db: &Db, email: &str, password: &str) -> anyhow::Result<i64> {
    let email = normalize_email(email);
    anyhow::ensure!(email.contains('@') && email.len() <= 254, "\"{email}\" is not an email address");
    anyhow::ensure!(password.chars().count() >= 8, "the password must have at least 8 characters");
    let hash = hash_password(password)?;
    let id = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash RETURNING id",
    )
    .bind(&email)
    .bind(&hash)
    .bind(db::now())
    .fetch_one(db)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Login {
    id: i64,
    password_hash: String,
}

/// The user's id when the password is right. Argon2 runs off the async threads.
async fn check_password(db: &Db, email: &str, password: &str) -> Result<Option<i64>> {
    let found: Option<Login> = sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(normalize_email(email))
        .fetch_optional(db)
        .await?;
    let Some(login) = found else { return Ok(None) };
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &login.password_hash))
        .await
        .map_err(anyhow::Error::from)?;
    Ok(ok.then_some(login.id))
}

/// The user's id when the password is right, under the rate limit of failed attempts per account and
/// address that login and Basic credentials share.
pub async fn authenticate(
    db: &Db,
    limiter: &LoginLimiter,
    email: &str,
    password: &str,
    addr: Option<IpAddr>,
) -> Result<Option<i64>> {
    let key = (normalize_email(email), addr);
    if let Some(secs) = limiter.retry_after(&key) {
        return Err(Error::TooManyRequests(format!("Too many failed login attempts. Try again in {secs} seconds.")));
    }
    let user = check_password(db, email, password).await?;
    match user {
        Some(_) => limiter.clear(&key),
        None => limiter.record_failure(key),
    }
    Ok(user)
}

/// The user a token belongs to.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<User>> {
    Ok(sqlx::query_as("SELECT u.id, u.email FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.key = $1")
        .bind(token)
        .fetch_optional(db)
        .await?)
}

/// Like the reference server (DRF's token auth), each account has one token, made on first login.
pub async fn token_for(db: &Db, user_id: i64) -> Result<String> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT key FROM tokens WHERE user_id = $1").bind(user_id).fetch_optional(db).await?;
    if let Some(key) = existing {
        return Ok(key);
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

/// Revokes the account's token (it has one, see `token_for`).
pub async fn revoke_token(db: &Db, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM tokens WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// Failed logins per (account, address): after `MAX_FAILURES` within `WINDOW` the pair is refused
/// until the window has passed. Kept in memory, so it is per server process.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Attempt, Vec<Instant>>>,
}

/// An account and the address a login came from.
type Attempt = (String, Option<IpAddr>);

const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    /// Seconds to wait when the pair is locked out.
    fn retry_after(&self, key: &(String, Option<IpAddr>)) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let list = failures.get_mut(key)?;
        list.retain(|t| t.elapsed() < WINDOW);
        (list.len() >= MAX_FAILURES).then(|| (WINDOW - list[0].elapsed()).as_secs() + 1)
    }

    fn record_failure(&self, key: (String, Option<IpAddr>)) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, list| list.iter().any(|t| t.elapsed() < WINDOW));
        }
        failures.entry(key).or_default().push(Instant::now());
    }

    fn clear(&self, key: &(String, Option<IpAddr>)) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_equal() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct hors", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn five_failures_lock_the_pair_out_until_a_success_clears_it() {
        let limiter = LoginLimiter::default();
        let key = ("a@b.c".to_owned(), None);
        for _ in 0..MAX_FAILURES {
            assert_eq!(limiter.retry_after(&key), None);
            limiter.record_failure(key.clone());
        }
        assert!(limiter.retry_after(&key).is_some_and(|s| s > 0));
        assert_eq!(limiter.retry_after(&("x@b.c".to_owned(), None)), None);
        limiter.clear(&key);
        assert_eq!(limiter.retry_after(&key), None);
    }

    use crate::testing::{Fixture, PASSWORD};

    #[tokio::test]
    async fn an_account_is_made_once_and_its_password_can_be_reset() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let limiter = LoginLimiter::default();
        let id = upsert_user(db, "  Ann@Example.COM ", PASSWORD).await.unwrap();
        assert_eq!(authenticate(db, &limiter, "ann@example.com", PASSWORD, None).await.unwrap(), Some(id));

        assert_eq!(upsert_user(db, "ann@example.com", "another-pass").await.unwrap(), id);
        assert_eq!(authenticate(db, &limiter, "ann@example.com", PASSWORD, None).await.unwrap(), None);
        assert_eq!(authenticate(db, &limiter, "ANN@example.com", "another-pass", None).await.unwrap(), Some(id));
        assert_ne!(upsert_user(db, "bob@example.com", PASSWORD).await.unwrap(), id);

        let refused = upsert_user(db, "ann.example.com", PASSWORD).await.unwrap_err();
        assert_eq!(refused.to_string(), "\"ann.example.com\" is not an email address");
        let refused = upsert_user(db, "cid@example.com", "short").await.unwrap_err();
        assert_eq!(refused.to_string(), "the password must have at least 8 characters");
        assert_eq!(authenticate(db, &limiter, "cid@example.com", "short", None).await.unwrap(), None);
    }

    #[tokio::test]
    async fn five_wrong_passwords_lock_an_account_out_from_that_address() {
        let fx = Fixture::new().await;
        let (db, limiter) = (fx.db(), LoginLimiter::default());
        let id = fx.user("ann@example.com").await;
        let here = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..MAX_FAILURES {
            assert_eq!(authenticate(db, &limiter, "ann@example.com", "wrong-pass", here).await.unwrap(), None);
        }
        let Err(Error::TooManyRequests(message)) = authenticate(db, &limiter, "ann@example.com", PASSWORD, here).await
        else {
            panic!("not locked out")
        };
        assert!(message.starts_with("Too many failed login attempts. Try again in "), "{message}");
        // Another address, or the same address for another account, is not locked out.
        let there = Some(IpAddr::from([192, 0, 2, 2]));
        assert_eq!(authenticate(db, &limiter, "ann@example.com", PASSWORD, there).await.unwrap(), Some(id));
        assert_eq!(authenticate(db, &limiter, "nobody@example.com", PASSWORD, here).await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_account_has_one_token_until_it_is_revoked() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let ann = fx.user("ann@example.com").await;
        let bob = fx.user("bob@example.com").await;
        let token = token_for(db, ann).await.unwrap();
        assert_eq!(token.len(), 40);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(token_for(db, ann).await.unwrap(), token);
        assert_ne!(token_for(db, bob).await.unwrap(), token);
        let user = by_token(db, &token).await.unwrap().unwrap();
        assert_eq!((user.id, user.email.as_str()), (ann, "ann@example.com"));
        assert!(by_token(db, "0123456789").await.unwrap().is_none());

        revoke_token(db, ann).await.unwrap();
        assert!(by_token(db, &token).await.unwrap().is_none());
        let new = token_for(db, ann).await.unwrap();
        assert_ne!(new, token);
        assert_eq!(by_token(db, &new).await.unwrap().unwrap().id, ann);
        // Bob's token is untouched.
        assert!(by_token(db, &token_for(db, bob).await.unwrap()).await.unwrap().is_some());
    }
}
