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
    failures: Mutex<HashMap<(String, Option<IpAddr>), Vec<Instant>>>,
}

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
}
