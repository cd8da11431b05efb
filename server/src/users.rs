//! User accounts: creating them and checking their passwords (argon2).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sqlx::Row;

use crate::db::{self, Db};

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
    let row = sqlx::query(
        "INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash RETURNING id",
    )
    .bind(&email)
    .bind(&hash)
    .bind(db::now())
    .fetch_one(db)
    .await?;
    Ok(row.get("id"))
}

/// The id and password hash of the user with this email.
pub async fn find_by_email(db: &Db, email: &str) -> sqlx::Result<Option<(i64, String)>> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(normalize_email(email))
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| (r.get("id"), r.get("password_hash"))))
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
}
