//! The categorization AI: a multinomial naive Bayes text classifier over word unigrams and bigrams, its
//! evaluation (accuracy, per-category precision, recall and F1), and its training job in the server.

use std::collections::{BTreeMap, HashMap};

use anyhow::bail;
use lectern_api::ais::{CategoryEvaluation, CategoryMetrics};
use serde::{Deserialize, Serialize};

use super::evaluate::{metrics, Counts};
use super::{TEST_DOCUMENTS, TRAINING_DOCUMENTS};
use crate::domain::ais::{self, AiKind};
use crate::domain::documents::processing::{self, Owner};
use crate::state::AppState;

/// Lowercase words of letters and digits (at least two characters) and the bigrams of neighbouring words.
pub fn terms(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.to_lowercase())
        .collect();
    let bigrams = words.windows(2).map(|w| format!("{} {}", w[0], w[1]));
    words.iter().cloned().chain(bigrams).collect()
}

/// Log priors and per-term log likelihoods of each category, with add-one smoothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub categories: Vec<i64>,
    pub log_priors: Vec<f64>,
    /// Term → its log likelihood in each category (in the order of `categories`).
    pub log_likelihoods: HashMap<String, Vec<f64>>,
}

impl Model {
    /// Trains on `(text, category)` pairs; fails without any.
    pub fn train(examples: &[(String, i64)]) -> anyhow::Result<Model> {
        if examples.is_empty() {
            bail!("No training documents.");
        }
        let categories: Vec<i64> =
            examples.iter().map(|(_, c)| *c).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let index = |c: i64| categories.binary_search(&c).expect("a known category");
        let mut documents = vec![0usize; categories.len()];
        let mut counts: HashMap<String, Vec<f64>> = HashMap::new();
        let mut totals = vec![0f64; categories.len()];
        for (text, category) in examples {
            let i = index(*category);
            documents[i] += 1;
            for term in terms(text) {
                counts.entry(term).or_insert_with(|| vec![0.0; categories.len()])[i] += 1.0;
                totals[i] += 1.0;
            }
        }
        let vocabulary = counts.len() as f64;
        let log_likelihoods = counts
            .into_iter()
            .map(|(term, n)| {
                let logs = n.iter().zip(&totals).map(|(n, total)| ((n + 1.0) / (total + vocabulary)).ln()).collect();
                (term, logs)
            })
            .collect();
        let log_priors = documents.iter().map(|d| (*d as f64 / examples.len() as f64).ln()).collect();
        Ok(Model { categories, log_priors, log_likelihoods })
    }

    /// Every category with its posterior probability, most likely first. Terms never seen in training are
    /// ignored.
    pub fn probabilities(&self, text: &str) -> Vec<(i64, f64)> {
        let mut scores = self.log_priors.clone();
        for term in terms(text) {
            if let Some(logs) = self.log_likelihoods.get(&term) {
                scores.iter_mut().zip(logs).for_each(|(s, l)| *s += l);
            }
        }
        let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = scores.iter().map(|s| (s - best).exp()).sum();
        let mut out: Vec<(i64, f64)> =
            self.categories.iter().zip(&scores).map(|(c, s)| (*c, (s - best).exp() / sum)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The most likely category and its posterior probability.
    pub fn predict(&self, text: &str) -> (i64, f64) {
        self.probabilities(text)[0]
    }
}

/// Accuracy and per-category scores of the model on `(text, category)` pairs.
pub fn evaluate(model: &Model, test: &[(String, i64)]) -> CategoryEvaluation {
    let mut counts: BTreeMap<i64, Counts> = BTreeMap::new();
    let mut right = 0;
    for (text, truth) in test {
        let (predicted, _) = model.predict(text);
        if predicted == *truth {
            right += 1;
            counts.entry(predicted).or_default().tp += 1;
        } else {
            counts.entry(predicted).or_default().fp += 1;
            counts.entry(*truth).or_default().fn_ += 1;
        }
    }
    CategoryEvaluation {
        documents: test.len() as u64,
        accuracy: if test.is_empty() { 0.0 } else { right as f64 / test.len() as f64 },
        categories: counts.into_iter().map(|(category, c)| CategoryMetrics { category, metrics: metrics(c) }).collect(),
    }
}

const KIND: AiKind = AiKind::Categorization;

/// The processed, categorised documents of a project with this `dataset_status`, as `(text, category)`.
async fn documents(state: &AppState, project: i64, dataset_status: i64) -> anyhow::Result<Vec<(String, i64)>> {
    let found = processing::dataset(&state.db, Owner::Project(project), dataset_status).await?;
    Ok(found.into_iter().filter_map(|d| Some((d.text, d.category_id?))).collect())
}

/// The categories and their probabilities, most likely first, that the project's active categorization AI gives
/// a text; `None` without one.
pub async fn probabilities(state: &AppState, project: i64, text: &str) -> anyhow::Result<Option<Vec<(i64, f64)>>> {
    let model: Option<Model> = super::active_model(state, KIND, project).await?;
    Ok(model.map(|m| m.probabilities(text)))
}

/// Trains the categorization AI `ai` of `project`, evaluates it on the project's test documents and activates
/// it when it is more accurate than the active one.
pub async fn train(state: &AppState, ai: i64, project: i64) -> anyhow::Result<()> {
    let training = documents(state, project, TRAINING_DOCUMENTS).await?;
    if training.is_empty() {
        bail!("Project {project} has no processed, categorised training documents (dataset_status 2).");
    }
    let test = documents(state, project, TEST_DOCUMENTS).await?;
    ais::set_document_counts(&state.db, ai, training.len(), test.len()).await?;
    let (model, evaluation) = tokio::task::spawn_blocking(move || {
        let model = Model::train(&training)?;
        let evaluation = evaluate(&model, &test);
        anyhow::Ok((model, evaluation))
    })
    .await??;
    let key = super::store_model(state, KIND, ai, &model).await?;
    // Every test document the categorization AI reads has a category (`documents`).
    let trained = ais::Trained { ai, key, evaluation: &evaluation, tested: evaluation.documents };
    ais::activate(&state.db, KIND, project, trained, |e: &CategoryEvaluation| e.accuracy).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<(String, i64)> {
        vec![("invoice total due".into(), 1), ("invoice amount".into(), 1), ("contract party signed".into(), 2)]
    }

    #[test]
    fn terms_are_lowercase_words_and_bigrams() {
        assert_eq!(terms("Total: Due, a 12"), ["total", "due", "12", "total due", "due 12"]);
    }

    #[test]
    fn trains_hand_computed_priors_and_likelihoods() {
        let model = Model::train(&examples()).unwrap();
        assert_eq!(model.categories, [1, 2]);
        assert!((model.log_priors[0] - (2.0f64 / 3.0).ln()).abs() < 1e-12);
        // 12 distinct terms; category 1 has 8 term occurrences, "invoice" twice: (2 + 1) / (8 + 12).
        let invoice = &model.log_likelihoods["invoice"];
        assert!((invoice[0] - (3.0f64 / 20.0).ln()).abs() < 1e-12);
        // Category 2 has 5 occurrences and no "invoice": 1 / (5 + 12).
        assert!((invoice[1] - (1.0f64 / 17.0).ln()).abs() < 1e-12);
    }

    #[test]
    fn predicts_the_category_of_the_words_with_a_probability() {
        let model = Model::train(&examples()).unwrap();
        let (category, confidence) = model.predict("an invoice");
        assert_eq!(category, 1);
        // Posterior: priors 2/3 and 1/3 times 3/20 and 1/17 ("an" is unknown).
        let (a, b) = (2.0 / 3.0 * 3.0 / 20.0, 1.0 / 3.0 * 1.0 / 17.0);
        assert!((confidence - a / (a + b)).abs() < 1e-12, "{confidence}");
        assert_eq!(model.predict("signed by party").0, 2);
        // Only unknown words: the prior decides.
        assert_eq!(model.predict("zebra"), (1, 2.0 / 3.0 / (2.0 / 3.0 + 1.0 / 3.0)));
        assert!(Model::train(&[]).is_err());
    }

    #[test]
    fn evaluates_accuracy_and_per_category_scores() {
        let model = Model::train(&examples()).unwrap();
        let test = vec![("invoice".into(), 1), ("contract".into(), 2), ("zebra".into(), 2)];
        let e = evaluate(&model, &test);
        assert_eq!(e.documents, 3);
        assert!((e.accuracy - 2.0 / 3.0).abs() < 1e-12);
        // Category 1: one right, "zebra" wrongly; category 2: one right, one missed.
        let c1 = &e.categories[0].metrics;
        assert_eq!((c1.true_positives, c1.false_positives, c1.false_negatives), (1, 1, 0));
        let c2 = &e.categories[1].metrics;
        assert_eq!((c2.true_positives, c2.false_positives, c2.false_negatives), (1, 0, 1));
        assert_eq!((c2.precision, c2.recall), (1.0, 0.5));
        assert_eq!(evaluate(&model, &[]).accuracy, 0.0);
    }

    #[test]
    fn the_model_survives_its_file() {
        let model = Model::train(&examples()).unwrap();
        assert_eq!(crate::ai::round_trip(&model).predict("contract"), model.predict("contract"));
    }
}
