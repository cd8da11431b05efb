//! A random forest classifier: CART trees on Gini impurity over binned features (each feature cut into at most
//! `max_bins` ranges at its quantiles), grown on bootstrap samples with a random subset of the features per split,
//! in parallel on every core; class probabilities are the trees' leaf shares averaged.

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct Params {
    pub trees: usize,
    pub max_depth: usize,
    pub min_samples_leaf: usize,
    /// At most 255.
    pub max_bins: usize,
    /// Features tried per split; the square root of their number when `None`.
    pub features_per_split: Option<usize>,
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params { trees: 40, max_depth: 18, min_samples_leaf: 1, max_bins: 32, features_per_split: None, seed: 7 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Forest {
    classes: usize,
    features: usize,
    trees: Vec<Tree>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
enum Node {
    /// Values `<= threshold` go left.
    Split {
        feature: u32,
        threshold: f32,
        left: u32,
        right: u32,
    },
    Leaf(Vec<f32>),
}

/// The training rows with each feature replaced by its bin, stored feature by feature.
struct Binned {
    rows: usize,
    /// Per feature the upper bounds of its bins but the last.
    cuts: Vec<Vec<f32>>,
    bins: Vec<u8>,
}

impl Binned {
    fn new(x: &[Vec<f32>], features: usize, max_bins: usize) -> Binned {
        let rows = x.len();
        let mut cuts = Vec::with_capacity(features);
        let mut bins = Vec::with_capacity(rows * features);
        for f in 0..features {
            let mut values: Vec<f32> = x.iter().map(|r| r[f]).collect();
            values.sort_by(f32::total_cmp);
            let mut unique = values.clone();
            unique.dedup();
            let bounds: Vec<f32> = if unique.len() <= max_bins {
                unique.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
            } else {
                let mut b: Vec<f32> = (1..max_bins).map(|i| values[i * rows / max_bins]).collect();
                b.dedup();
                b
            };
            bins.extend(x.iter().map(|r| bounds.partition_point(|c| *c < r[f]) as u8));
            cuts.push(bounds);
        }
        Binned { rows, cuts, bins }
    }

    fn bin(&self, feature: usize, row: u32) -> usize {
        self.bins[feature * self.rows + row as usize] as usize
    }
}

/// Trains a forest on rows `x` (all of one length) with classes `y` (each `< classes`); `progress` is told the
/// number of trees grown so far.
pub fn train(
    x: &[Vec<f32>],
    y: &[usize],
    classes: usize,
    params: &Params,
    progress: &(dyn Fn(usize) + Sync),
) -> Forest {
    assert_eq!(x.len(), y.len(), "one class per row");
    let features = x.first().map_or(0, |r| r.len());
    let data = Binned::new(x, features, params.max_bins.clamp(2, 255));
    let per_split =
        params.features_per_split.unwrap_or_else(|| (features as f64).sqrt().ceil() as usize).clamp(1, features.max(1));
    let done = AtomicUsize::new(0);
    let trees = (0..params.trees)
        .into_par_iter()
        .map(|t| {
            let mut rng = StdRng::seed_from_u64(params.seed.wrapping_mul(1_000_003).wrapping_add(t as u64));
            let sample: Vec<u32> = (0..x.len()).map(|_| rng.gen_range(0..x.len() as u32)).collect();
            let grower = Grower { data: &data, y, classes, features, per_split, params };
            let tree = grower.grow(sample, &mut rng);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            tree
        })
        .collect();
    Forest { classes, features, trees }
}

struct Grower<'a> {
    data: &'a Binned,
    y: &'a [usize],
    classes: usize,
    features: usize,
    per_split: usize,
    params: &'a Params,
}

impl Grower<'_> {
    fn grow(&self, sample: Vec<u32>, rng: &mut StdRng) -> Tree {
        let mut tree = Tree { nodes: Vec::new() };
        if sample.is_empty() {
            tree.nodes.push(Node::Leaf(vec![1.0 / self.classes as f32; self.classes]));
            return tree;
        }
        // Nodes to fill: (index in `nodes`, samples, depth).
        tree.nodes.push(Node::Leaf(Vec::new()));
        let mut todo = vec![(0usize, sample, 0usize)];
        while let Some((at, rows, depth)) = todo.pop() {
            let mut counts = vec![0u32; self.classes];
            for r in &rows {
                counts[self.y[*r as usize]] += 1;
            }
            let pure = counts.iter().filter(|c| **c > 0).count() <= 1;
            let split = if pure || depth >= self.params.max_depth || rows.len() < 2 * self.params.min_samples_leaf {
                None
            } else {
                self.best_split(&rows, &counts, rng)
            };
            let Some((feature, bin)) = split else {
                let n = rows.len() as f32;
                tree.nodes[at] = Node::Leaf(counts.iter().map(|c| *c as f32 / n).collect());
                continue;
            };
            let (left, right): (Vec<u32>, Vec<u32>) = rows.into_iter().partition(|r| self.data.bin(feature, *r) <= bin);
            let (l, r) = (tree.nodes.len(), tree.nodes.len() + 1);
            tree.nodes.push(Node::Leaf(Vec::new()));
            tree.nodes.push(Node::Leaf(Vec::new()));
            let threshold = self.data.cuts[feature][bin];
            tree.nodes[at] = Node::Split { feature: feature as u32, threshold, left: l as u32, right: r as u32 };
            todo.push((l, left, depth + 1));
            todo.push((r, right, depth + 1));
        }
        tree
    }

    /// The feature and bin of the split with the purest children among `per_split` features that can split
    /// (features that are constant here do not count), if any split leaves both sides big enough.
    fn best_split(&self, rows: &[u32], counts: &[u32], rng: &mut StdRng) -> Option<(usize, usize)> {
        let score = |c: &[u32], n: u32| {
            if n == 0 {
                0.0
            } else {
                c.iter().map(|c| (*c as f64).powi(2)).sum::<f64>() / n as f64
            }
        };
        let parent = score(counts, rows.len() as u32);
        let min_leaf = self.params.min_samples_leaf as u32;
        let mut order: Vec<usize> = (0..self.features).collect();
        order.shuffle(rng);
        let mut tried = 0;
        let mut best: Option<(f64, usize, usize)> = None;
        for feature in order {
            if tried >= self.per_split {
                break;
            }
            let bins = self.data.cuts[feature].len() + 1;
            if bins < 2 {
                continue;
            }
            let mut hist = vec![0u32; bins * self.classes];
            for r in rows {
                hist[self.data.bin(feature, *r) * self.classes + self.y[*r as usize]] += 1;
            }
            let mut left = vec![0u32; self.classes];
            let mut right = counts.to_vec();
            let (mut n_left, mut n_right) = (0u32, rows.len() as u32);
            let mut splits = false;
            for bin in 0..bins - 1 {
                for c in 0..self.classes {
                    let moved = hist[bin * self.classes + c];
                    left[c] += moved;
                    right[c] -= moved;
                    n_left += moved;
                    n_right -= moved;
                }
                if n_left < min_leaf.max(1) || n_right < min_leaf.max(1) {
                    continue;
                }
                splits = true;
                let s = score(&left, n_left) + score(&right, n_right);
                if s > parent + 1e-9 && best.is_none_or(|(b, _, _)| s > b) {
                    best = Some((s, feature, bin));
                }
            }
            if splits {
                tried += 1;
            }
        }
        best.map(|(_, feature, bin)| (feature, bin))
    }
}

impl Forest {
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The probability of each class for one row.
    pub fn predict(&self, row: &[f32]) -> Vec<f32> {
        assert_eq!(row.len(), self.features, "a row of the trained width");
        let mut sum = vec![0.0f32; self.classes];
        for tree in &self.trees {
            let mut at = 0usize;
            loop {
                match &tree.nodes[at] {
                    Node::Split { feature, threshold, left, right } => {
                        at = if row[*feature as usize] <= *threshold { *left } else { *right } as usize;
                    }
                    Node::Leaf(p) => {
                        sum.iter_mut().zip(p).for_each(|(s, p)| *s += p);
                        break;
                    }
                }
            }
        }
        let n = self.trees.len().max(1) as f32;
        sum.iter_mut().for_each(|s| *s /= n);
        sum
    }

    /// `predict` for many rows, in parallel.
    pub fn predict_all(&self, rows: &[Vec<f32>]) -> Vec<Vec<f32>> {
        rows.par_iter().map(|r| self.predict(r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argmax(p: &[f32]) -> usize {
        (0..p.len()).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap()
    }

    #[test]
    fn learns_a_non_linear_rule_and_ignores_noise() {
        // Class 1 inside a ring band of feature 0 and 1 (x² + y² between 0.25 and 0.64), class 2 when feature 2 is
        // set, else 0; features 3..8 are noise.
        let mut rng = StdRng::seed_from_u64(1);
        let mut make = |n: usize| {
            let mut x = Vec::new();
            let mut y = Vec::new();
            for _ in 0..n {
                let row: Vec<f32> = (0..8)
                    .map(|f| if f == 2 { rng.gen_bool(0.2) as u8 as f32 } else { rng.gen_range(-1.0..1.0) })
                    .collect();
                let r = row[0] * row[0] + row[1] * row[1];
                y.push(if row[2] > 0.5 {
                    2
                } else if (0.25..0.64).contains(&r) {
                    1
                } else {
                    0
                });
                x.push(row);
            }
            (x, y)
        };
        let (x, y) = make(3000);
        let (tx, ty) = make(1000);
        let grown = AtomicUsize::new(0);
        let forest = train(&x, &y, 3, &Params { trees: 20, ..Params::default() }, &|n| {
            grown.fetch_max(n, Ordering::Relaxed);
        });
        assert_eq!(grown.load(Ordering::Relaxed), 20);
        let predictions = forest.predict_all(&tx);
        let right = predictions.iter().zip(&ty).filter(|(p, y)| argmax(p) == **y).count();
        assert!(right > 900, "{right} of 1000 right");
        for p in &predictions {
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
        // The same seed grows the same forest; a serialised forest predicts the same.
        let again = train(&x, &y, 3, &Params { trees: 20, ..Params::default() }, &|_| {});
        assert_eq!(again, forest);
        let bytes = serde_json::to_vec(&forest).unwrap();
        let back: Forest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.predict(&tx[0]), forest.predict(&tx[0]));
    }

    #[test]
    fn thresholds_follow_the_bins() {
        // One feature with values 1, 2, 3 and classes 0, 0, 1: the only useful cut lies between 2 and 3.
        let x = vec![vec![1.0], vec![2.0], vec![3.0]];
        let forest = train(&x, &[0, 0, 1], 2, &Params { trees: 1, ..Params::default() }, &|_| {});
        let tree = &forest.trees[0];
        if let Node::Split { threshold, .. } = tree.nodes[0] {
            assert!(threshold > 1.0 && threshold < 3.0, "{threshold}");
        }
        // Quantile bins on many values: every row's bin agrees with its threshold comparisons.
        let x: Vec<Vec<f32>> = (0..1000).map(|i| vec![(i * 7 % 1000) as f32]).collect();
        let b = Binned::new(&x, 1, 16);
        assert!(b.cuts[0].len() <= 15);
        for (i, row) in x.iter().enumerate() {
            let bin = b.bin(0, i as u32);
            for (k, cut) in b.cuts[0].iter().enumerate() {
                assert_eq!(bin <= k, row[0] <= *cut);
            }
        }
    }

    #[test]
    fn degenerate_inputs_give_leaves() {
        let forest = train(&[vec![1.0], vec![1.0]], &[1, 1], 2, &Params { trees: 3, ..Params::default() }, &|_| {});
        assert_eq!(forest.predict(&[5.0]), vec![0.0, 1.0]);
        let empty = train(&[], &[], 2, &Params { trees: 2, ..Params::default() }, &|_| {});
        assert_eq!(empty.predict(&[]), vec![0.5, 0.5]);
    }
}
