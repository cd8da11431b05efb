//! A document with its review: the full detail with the annotation tree, and changes to the document, among
//! them finishing its review.

use lectern_api::documents::{status, Document, DocumentDetail, DocumentWrite};

use super::{check_dataset_status, load, member_id, pages, text};
use crate::db::Db;
use crate::domain::annotations::{lock, tree};
use crate::domain::schema::{self, categories};
use crate::domain::validate;
use crate::error::{Error, Result};

/// The full representation: the document with its text, pages and annotation sets.
pub async fn detail(db: &Db, doc: Document) -> Result<DocumentDetail> {
    let text = text::text_of(db, doc.id).await?;
    let pages = pages::summaries(db, doc.id).await?;
    let schema = categories::schema_of(db, doc.category).await?;
    let (annotation_sets, review_counts) = tree::build(&mut *db.acquire().await?, &doc, &schema).await?;
    Ok(DocumentDetail { document: doc, text, pages, annotation_sets, review_counts })
}

/// The details of documents, in the order of `ids`.
pub async fn details(db: &Db, ids: &[i64]) -> Result<Vec<DocumentDetail>> {
    let mut out = Vec::with_capacity(ids.len());
    for doc in load(db, ids).await? {
        out.push(detail(db, doc).await?);
    }
    Ok(out)
}

/// Blanks who worked on a document and its callback URL (which may hold a secret) for a reader who is not a
/// member: the public view shows the document, not its team. The keys stay, as null, so the shape is the one
/// members get.
pub fn redact(detail: &mut DocumentDetail) {
    let doc = &mut detail.document;
    (doc.assignee, doc.created_by, doc.callback_url) = (None, None, None);
    for a in detail.annotation_sets.iter_mut().flat_map(|s| &mut s.labels).flat_map(|l| &mut l.annotations) {
        (a.created_by, a.revised_by) = (None, None);
    }
}

/// Why a document with this `status_data` cannot be marked reviewed: only a processed one (status 2) can, as a
/// review of what processing has not read yet, or of a bundle not yet split, would finish before the AI's
/// suggestions arrive. `None` when it is processed.
fn unprocessed(status_data: i64) -> Option<&'static str> {
    match status_data {
        status::DONE => None,
        status::ERROR => Some("The document could not be processed; it cannot be marked reviewed."),
        status::WAITING_FOR_SPLIT => Some(
            "The document is waiting for its split to be confirmed; it can be marked reviewed once it is processed.",
        ),
        _ => Some("The document is still being processed; it can be marked reviewed once it is processed."),
    }
}

/// Changes a document's name, category, review state, dataset status or assignee; only the fields sent are
/// written. Finishing the review is checked and written in the document's lock, so no annotation write slips
/// between; it is refused while the document is not processed. Reopening a review is always allowed.
pub async fn update(db: &Db, doc: Document, body: DocumentWrite) -> Result<()> {
    let name = body.data_file_name.as_deref().map(|n| validate::name("data_file_name", Some(n))).transpose()?;
    let category = match body.category {
        Some(Some(c)) => {
            schema::check_category(db, doc.project, c).await?;
            Some(c)
        }
        Some(None) => None,
        None => doc.category,
    };
    let dataset_status = body.dataset_status.map(check_dataset_status).transpose()?;
    let assignee = match &body.assignee {
        Some(Some(who)) => Some(Some(member_id(db, doc.project, "assignee", who).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let schema = categories::schema_of(db, doc.category).await?;
    let (mut tx, doc) = lock::document(db, doc.id).await?;
    if body.is_reviewed == Some(true) && !doc.is_reviewed {
        if let Some(why) = unprocessed(doc.status_data) {
            return Err(Error::field("is_reviewed", why));
        }
        let (_, counts) = tree::build(&mut tx, &doc, &schema).await?;
        if let Some(why) = counts.review_blocker() {
            return Err(Error::field("is_reviewed", why));
        }
    }
    sqlx::query(
        "UPDATE documents SET data_file_name = COALESCE($1, data_file_name), category_id = CASE WHEN $2 THEN $3 ELSE category_id END,
            category_is_revised = COALESCE($4, category_is_revised), is_reviewed = COALESCE($5, is_reviewed),
            dataset_status = COALESCE($6, dataset_status), assignee_id = CASE WHEN $7 THEN $8 ELSE assignee_id END WHERE id = $9",
    )
    .bind(name)
    .bind(body.category.is_some())
    .bind(category)
    .bind(body.category_is_revised)
    .bind(body.is_reviewed)
    .bind(dataset_status)
    .bind(assignee.is_some())
    .bind(assignee.flatten())
    .bind(doc.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_api::annotations::{AnnotationWrite, MissingAnnotationWrite};
    use lectern_api::documents::UserRef;
    use lectern_api::review::ACCEPT;

    use crate::domain::annotations::{missing, write};
    use crate::testing::{annotation, invoice_text, refusal, Fixture, Invoice};

    #[tokio::test]
    async fn the_detail_holds_the_text_the_pages_and_every_label_set_of_the_category() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let (doc, s) = (invoice.doc, invoice.schema);
        let total = fx.annotate(invoice.owner, doc, s.total, "9,50").await;
        let d = detail(db, fx.load(doc).await).await.unwrap();
        assert_eq!(d.text, Some(invoice_text()));
        assert_eq!(d.pages.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2]);
        let sets: Vec<(bool, i64)> = d.annotation_sets.iter().map(|s| (s.id.is_some(), s.label_set.id)).collect();
        assert_eq!(sets, [(true, s.category), (false, s.line_item)]);
        let labels = &d.annotation_sets[0].labels;
        assert_eq!(labels[0].annotations.iter().map(|a| a.id).collect::<Vec<_>>(), [total]);
        assert!(labels[1].annotations.is_empty());
        assert_eq!((d.review_counts.accepted, d.review_counts.unfilled), (1, 3));

        let other = fx.document(invoice.owner, invoice.project, None).await;
        let both = details(db, &[other, doc]).await.unwrap();
        assert_eq!((both[0].document.id, both[1].document.id), (other, doc));
        assert!(both[0].annotation_sets.is_empty());
    }

    #[tokio::test]
    async fn a_public_reader_sees_the_document_without_its_team() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let id = fx.suggest(invoice.doc, invoice.schema.total, "9,50").await;
        write::update(&fx.state, invoice.owner, id, AnnotationWrite::review(ACCEPT)).await.unwrap();
        fx.annotate(invoice.owner, invoice.doc, invoice.schema.date, "2026-01-31").await;
        let body = DocumentWrite { assignee: Some(Some(UserRef::Id(invoice.owner))), ..DocumentWrite::default() };
        update(fx.db(), fx.load(invoice.doc).await, body).await.unwrap();
        let mut d = detail(fx.db(), fx.load(invoice.doc).await).await.unwrap();
        assert_eq!(d.document.assignee.as_deref(), Some("owner@example.com"));
        redact(&mut d);
        assert_eq!((d.document.assignee, d.document.created_by, d.document.callback_url), (None, None, None));
        let annotations: Vec<_> = d.annotation_sets[0].labels.iter().flat_map(|l| &l.annotations).collect();
        assert_eq!(annotations.len(), 2);
        assert!(annotations.iter().all(|a| a.created_by.is_none() && a.revised_by.is_none()));
        assert_eq!(d.text, Some(invoice_text()));
    }

    #[tokio::test]
    async fn an_update_writes_only_the_fields_sent() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let member = fx.user("member@example.com").await;
        fx.add_member(invoice.project, member).await;
        let body = DocumentWrite {
            data_file_name: Some(" March.pdf ".into()),
            category_is_revised: Some(true),
            dataset_status: Some(2),
            assignee: Some(Some(UserRef::Email("Member@example.com".into()))),
            ..DocumentWrite::default()
        };
        update(db, fx.load(invoice.doc).await, body).await.unwrap();
        let d = fx.load(invoice.doc).await;
        assert_eq!((d.data_file_name.as_str(), d.category_is_revised, d.dataset_status), ("March.pdf", true, 2));
        assert_eq!((d.assignee.as_deref(), d.category), (Some("member@example.com"), Some(invoice.schema.category)));

        let cleared = DocumentWrite { category: Some(None), assignee: Some(None), ..DocumentWrite::default() };
        update(db, d, cleared).await.unwrap();
        let d = fx.load(invoice.doc).await;
        assert_eq!((d.category, d.assignee, d.data_file_name.as_str(), d.dataset_status), (None, None, "March.pdf", 2));
    }

    #[tokio::test]
    async fn an_update_with_a_bad_field_changes_nothing() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        fx.user("stranger@example.com").await;
        let other = fx.project(invoice.owner, "Other").await;
        let foreign = fx.schema(other).await;
        let doc = fx.load(invoice.doc).await;
        let refused = |body: DocumentWrite| update(db, doc.clone(), body);
        let body = DocumentWrite { category: Some(Some(foreign.category)), ..DocumentWrite::default() };
        let pk = foreign.category;
        assert_eq!(refusal(refused(body).await), format!("400 category: Invalid pk \"{pk}\" - object does not exist."));
        let body = DocumentWrite { dataset_status: Some(7), ..DocumentWrite::default() };
        assert!(refusal(refused(body).await).starts_with("400 dataset_status: \"7\" is not a valid choice."));
        let stranger = Some(Some(UserRef::Email("stranger@example.com".into())));
        let body = DocumentWrite { data_file_name: Some("New.pdf".into()), assignee: stranger, ..Default::default() };
        assert_eq!(
            refusal(refused(body).await),
            "400 assignee: \"stranger@example.com\" is not a member of this project."
        );
        let body = DocumentWrite { data_file_name: Some("  ".into()), ..DocumentWrite::default() };
        assert_eq!(refusal(refused(body).await), "400 data_file_name: This field may not be blank.");
        assert_eq!(fx.load(invoice.doc).await.data_file_name, "invoice.pdf");
    }

    #[tokio::test]
    async fn a_review_is_finished_only_when_every_suggestion_has_feedback_and_every_label_is_filled() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let (db, state) = (fx.db(), &fx.state);
        let suggestion = fx.suggest(doc, s.total, "9,50").await;
        let finish = DocumentWrite { is_reviewed: Some(true), ..DocumentWrite::default() };
        assert_eq!(
            refusal(update(db, fx.load(doc).await, finish.clone()).await),
            "400 is_reviewed: The document cannot be marked reviewed: 1 annotation(s) need feedback and 3 label(s) \
             are unfilled (accept or decline every suggestion and annotate or mark as missing every label)."
        );
        write::update(state, owner, suggestion, AnnotationWrite::review(ACCEPT)).await.unwrap();
        fx.annotate(owner, doc, s.date, "2026-01-31").await;
        let not_found =
            |label| MissingAnnotationWrite { document: doc, label, label_set: s.line_item, annotation_set: None };
        missing::create(db, owner, vec![not_found(s.item), not_found(s.amount)]).await.unwrap();
        update(db, fx.load(doc).await, finish).await.unwrap();
        assert!(fx.load(doc).await.is_reviewed);

        // A reviewed document's annotations stay as they are until the review is reopened.
        let late = write::create(state, Some(owner), vec![(annotation(doc, s.total, "42"), None)]).await;
        let reviewed =
            format!("400 Document {doc} is reviewed; set is_reviewed to false before changing its annotations.");
        assert_eq!(refusal(late), reviewed);
        let reopen = DocumentWrite { is_reviewed: Some(false), ..DocumentWrite::default() };
        update(db, fx.load(doc).await, reopen).await.unwrap();
        fx.annotate(owner, doc, s.total, "42").await;
    }

    #[tokio::test]
    async fn a_review_is_finished_only_once_the_document_is_processed_and_reopened_at_any_time() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let team = fx.team().await;
        let doc = fx.upload(team.owner, team.project, None).await;
        let finish = DocumentWrite { is_reviewed: Some(true), ..DocumentWrite::default() };
        let reopen = DocumentWrite { is_reviewed: Some(false), ..DocumentWrite::default() };
        let processing = "400 is_reviewed: The document is still being processed; it can be marked reviewed once it \
                          is processed.";
        assert_eq!(refusal(update(db, fx.load(doc).await, finish.clone()).await), processing);
        update(db, fx.load(doc).await, reopen.clone()).await.unwrap();

        crate::domain::documents::processing::propose_split(db, doc, &[]).await.unwrap();
        assert_eq!(
            refusal(update(db, fx.load(doc).await, finish.clone()).await),
            "400 is_reviewed: The document is waiting for its split to be confirmed; it can be marked reviewed once \
             it is processed."
        );
        crate::domain::documents::processing::fail(db, doc, "Unreadable.").await.unwrap();
        assert_eq!(
            refusal(update(db, fx.load(doc).await, finish.clone()).await),
            "400 is_reviewed: The document could not be processed; it cannot be marked reviewed."
        );
        assert!(!fx.load(doc).await.is_reviewed);

        fx.process(doc, crate::testing::INVOICE).await;
        update(db, fx.load(doc).await, finish).await.unwrap();
        assert!(fx.load(doc).await.is_reviewed);
        update(db, fx.load(doc).await, reopen).await.unwrap();
        assert!(!fx.load(doc).await.is_reviewed);
    }
}
