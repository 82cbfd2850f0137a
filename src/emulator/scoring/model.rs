//! The small deterministic model each deployment serves: a linear regression whose weights
//! derive from the deployment's model reference, so blue and green (different models) answer
//! differently, and the same model always answers the same.

use serde::Deserialize;

/// What the sample request looks like: rows of numbers.
#[derive(Debug, Deserialize)]
struct ScoringInput {
    data: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearModel {
    seed: u64,
    bias: f64,
}

/// FNV-1a: stable across runs and platforms (std's hasher is randomly seeded).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64: turns a seed and an index into a well-mixed 64-bit value.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value in [-1, 1) from 64 random bits.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

impl LinearModel {
    /// The model for a model reference such as `azureml:sklearn-regression:2`.
    pub fn for_reference(model: &str) -> Self {
        let seed = fnv1a(model);
        Self {
            seed,
            bias: unit(splitmix64(seed)) * 10.0,
        }
    }

    /// The weight of feature `i` (any number of features is accepted).
    fn weight(&self, i: usize) -> f64 {
        unit(splitmix64(
            self.seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9),
        ))
    }

    pub fn predict_row(&self, row: &[f64]) -> f64 {
        let sum: f64 = row
            .iter()
            .enumerate()
            .map(|(i, x)| self.weight(i) * x)
            .sum();
        // Rounded so answers read well and compare exactly across runs.
        ((self.bias + sum) * 1e6).round() / 1e6
    }

    /// Scores a request body: `{"data": [[numbers...], ...]}` → JSON `[predictions...]`. An
    /// error is what a scoring script would report for input it cannot use.
    pub fn score(&self, body: &[u8]) -> Result<Vec<u8>, String> {
        let input: ScoringInput = serde_json::from_slice(body).map_err(|e| {
            format!(
                "run() failed: the input must be JSON of the form {{\"data\": [[numbers...], ...]}}: {e}"
            )
        })?;
        let predictions: Vec<f64> = input.data.iter().map(|r| self.predict_row(r)).collect();
        serde_json::to_vec(&predictions).map_err(|e| format!("run() failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] =
        br#"{"data": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]]}"#;

    #[test]
    fn same_model_same_answer_other_model_other_answer() {
        let blue = LinearModel::for_reference("azureml:sklearn-regression:1");
        let again = LinearModel::for_reference("azureml:sklearn-regression:1");
        let green = LinearModel::for_reference("azureml:sklearn-regression:2");
        let a = blue.score(SAMPLE).expect("scores");
        assert_eq!(a, again.score(SAMPLE).expect("scores"));
        assert_ne!(a, green.score(SAMPLE).expect("scores"));
        let predictions: Vec<f64> = serde_json::from_slice(&a).expect("json array");
        assert_eq!(predictions.len(), 2);
    }

    #[test]
    fn malformed_input_is_a_scoring_error() {
        let model = LinearModel::for_reference("m");
        for bad in [
            &b"not json"[..],
            br#"{"data": [["a"]]}"#,
            br#"{"rows": [[1]]}"#,
            br#"[1, 2]"#,
        ] {
            let err = model.score(bad).expect_err("malformed");
            assert!(err.contains("{\"data\""), "{err}");
        }
    }
}
