//! The three kinds of AI and what differs between them: their endpoints, table, files, owner and metric.

use crate::domain::list::{Filter, FilterKind, ListSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AiKind {
    Extraction,
    Categorization,
    Splitting,
}

impl AiKind {
    pub const ALL: [AiKind; 3] = [AiKind::Extraction, AiKind::Categorization, AiKind::Splitting];

    /// The path of its endpoints under `/api/v3/`.
    pub fn path(self) -> &'static str {
        match self {
            AiKind::Extraction => "extraction-ais",
            AiKind::Categorization => "category-ais",
            AiKind::Splitting => "splitting-ais",
        }
    }

    pub fn from_path(path: &str) -> Option<AiKind> {
        AiKind::ALL.into_iter().find(|k| k.path() == path)
    }

    /// The name stored in the `kind` column, and the folder of its files in storage.
    pub fn name(self) -> &'static str {
        match self {
            AiKind::Extraction => "extraction",
            AiKind::Categorization => "categorization",
            AiKind::Splitting => "splitting",
        }
    }

    /// What an AI of this kind belongs to, which has one active AI: the category or the project.
    pub(super) fn owner_column(self) -> &'static str {
        match self {
            AiKind::Extraction => "category_id",
            AiKind::Categorization | AiKind::Splitting => "project_id",
        }
    }

    /// The body field naming the owner when an AI is made.
    pub fn owner_field(self) -> &'static str {
        match self {
            AiKind::Extraction => "category",
            AiKind::Categorization | AiKind::Splitting => "project",
        }
    }

    /// The score by which a new AI is compared with the active one.
    pub fn metric(self) -> &'static str {
        match self {
            AiKind::Extraction => "strict F1",
            AiKind::Categorization => "accuracy",
            AiKind::Splitting => "split F1",
        }
    }

    /// Why an AI of this kind whose evaluation had nothing annotated to find is not activated: its score says
    /// nothing about it.
    pub(super) fn untested(self) -> &'static str {
        match self {
            AiKind::Extraction => {
                "its evaluation had no annotated test documents (processed documents of the category in the test \
                 set, dataset_status 3, with an accepted or human-made annotation), so its strict F1 says nothing."
            }
            AiKind::Categorization => {
                "its evaluation had no categorised test documents (processed documents with a category in the test \
                 set, dataset_status 3), so its accuracy says nothing."
            }
            AiKind::Splitting => {
                "its evaluation had no split points to find: it needs at least two processed documents in the test \
                 set (dataset_status 3), which it reads chained into bundles."
            }
        }
    }

    pub(super) fn scope(self) -> &'static str {
        match self {
            AiKind::Extraction => "the category",
            AiKind::Categorization | AiKind::Splitting => "the project",
        }
    }

    pub fn list(self) -> &'static ListSpec {
        const ORDERING: &[(&str, &str)] = &[("id", "t.id"), ("created_at", "t.created_at"), ("status", "t.status")];
        const BY_PROJECT: &[Filter] = &[
            Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
            Filter { param: "status", column: "t.status", kind: FilterKind::Text },
        ];
        const EXTRACTION: ListSpec = ListSpec {
            from: "ais t",
            ordering: ORDERING,
            filters: &[
                Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
                Filter { param: "category", column: "t.category_id", kind: FilterKind::Int },
                Filter { param: "status", column: "t.status", kind: FilterKind::Text },
            ],
        };
        const OF_PROJECT: ListSpec = ListSpec { from: "ais t", ordering: ORDERING, filters: BY_PROJECT };
        match self {
            AiKind::Extraction => &EXTRACTION,
            AiKind::Categorization | AiKind::Splitting => &OF_PROJECT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_by_their_paths() {
        for kind in AiKind::ALL {
            assert_eq!(AiKind::from_path(kind.path()), Some(kind));
        }
        assert_eq!(AiKind::from_path("projects"), None);
    }
}
