//! Asking the server again while something is in progress (documents processed, AIs training): one helper for
//! every view that waits.

use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// Loads something now and again while the answer says the work goes on, waiting a little longer each time.
/// A new `start` supersedes the one before: its answers and timers are dropped, as they are once the view is gone.
#[derive(Clone, Copy)]
pub struct Poll {
    backoff: Backoff,
    generation: StoredValue<u64>,
}

impl Poll {
    pub fn new(backoff: Backoff) -> Poll {
        Poll { backoff, generation: StoredValue::new(0) }
    }

    /// Runs `load` now; `apply` takes its answer unless a newer start came meanwhile, and says whether to load
    /// again.
    pub fn start<T, F>(self, load: impl Fn() -> F + 'static, apply: impl Fn(T) -> bool + 'static)
    where
        T: 'static,
        F: Future<Output = T> + 'static,
    {
        let Some(generation) = self.generation.try_update_value(|g| {
            *g += 1;
            *g
        }) else {
            return;
        };
        let round = Rc::new(Round { load, apply });
        self.round(generation, round, self.backoff.first);
    }

    fn is_current(self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    fn round<T, F, L, A>(self, generation: u64, round: Rc<Round<L, A>>, wait: Duration)
    where
        T: 'static,
        F: Future<Output = T> + 'static,
        L: Fn() -> F + 'static,
        A: Fn(T) -> bool + 'static,
    {
        spawn_local(async move {
            let answer = (round.load)().await;
            if !self.is_current(generation) || !(round.apply)(answer) {
                return;
            }
            let next = self.backoff.after(wait);
            set_timeout(
                move || {
                    if self.is_current(generation) {
                        self.round(generation, round, next);
                    }
                },
                wait,
            );
        });
    }
}

struct Round<L, A> {
    load: L,
    apply: A,
}

/// The waits between loads: `first`, then twice as long each time up to `max` (`first == max` waits evenly).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait that follows `wait`.
    pub fn after(self, wait: Duration) -> Duration {
        (wait * 2).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_limit() {
        let backoff = Backoff { first: Duration::from_secs(1), max: Duration::from_secs(10) };
        let waits: Vec<u64> = std::iter::successors(Some(backoff.first), |w| Some(backoff.after(*w)))
            .take(6)
            .map(|w| w.as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
        let even = Backoff { first: Duration::from_secs(2), max: Duration::from_secs(2) };
        assert_eq!(even.after(even.first), even.first);
    }
}
