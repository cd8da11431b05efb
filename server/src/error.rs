//! The domain's one error type: what went wrong in terms a client can act on; `http::error` renders it.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing or wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The object does not exist, or not for this caller.
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// A request-wide problem.
    #[error("{0}")]
    BadRequest(String),
    /// Problems with named fields: field → messages.
    #[error("invalid fields: {0:?}")]
    Fields(BTreeMap<String, Vec<String>>),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The path exists but does not take this method (named here, e.g. `PUT`).
    #[error("Method \"{0}\" not allowed.")]
    MethodNotAllowed(String),
    /// Something the request needs is not ready yet (an image still rendering); clients retry.
    #[error("{0}")]
    NotReady(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn field(name: &str, message: impl Into<String>) -> Error {
        Error::Fields(BTreeMap::from([(name.to_owned(), vec![message.into()])]))
    }

    pub fn required(name: &str) -> Error {
        Error::field(name, "This field is required.")
    }

    /// The DRF message for an id that names nothing the caller may use.
    pub fn no_such(name: &str, id: i64) -> Error {
        Error::field(name, format!("Invalid pk \"{id}\" - object does not exist."))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Error::BadRequest("An object with these values already exists.".into());
            }
            if db.is_foreign_key_violation() {
                return Error::BadRequest("A referenced object does not exist.".into());
            }
        }
        Error::Internal(e.into())
    }
}

impl From<serde_json::Error> for Error {
    /// Stored JSON that does not read back is the server's fault, not the client's.
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_violations_are_client_errors_and_others_internal() {
        assert!(matches!(Error::from(sqlx::Error::RowNotFound), Error::Internal(_)));
        let Error::Fields(f) = Error::no_such("label", 7) else { panic!() };
        assert_eq!(f["label"], ["Invalid pk \"7\" - object does not exist."]);
    }
}
