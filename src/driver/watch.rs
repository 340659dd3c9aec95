//! Publishes whose outcomes go to one watcher, in a batch per turn of the outbox, instead of a
//! reducer action each: the load tool's thousands of acknowledgements a second then cost no
//! copy of the tab's state and no render each.

use std::collections::HashSet;

use mqtt_core::{Event, PublishId};
use yew::Callback;

use crate::i18n::outcomes::publish_error;
use crate::i18n::Text;

/// Each watched publish's id and its outcome (why it failed, in words).
pub type Outcomes = Vec<(PublishId, Result<(), Text>)>;

#[derive(Default)]
pub struct Watch {
    watcher: Option<Callback<Outcomes>>,
    ids: HashSet<PublishId>,
    outcomes: Outcomes,
}

impl Watch {
    /// The watcher from now on; `None` hands the outcomes of the publishes still watched back
    /// to the reducer.
    pub fn set(&mut self, watcher: Option<Callback<Outcomes>>) {
        if watcher.is_none() {
            self.ids.clear();
        }
        self.watcher = watcher;
    }

    /// Publish `id`'s outcome goes to the watcher, if there is one.
    pub fn add(&mut self, id: PublishId) {
        if self.watcher.is_some() {
            self.ids.insert(id);
        }
    }

    /// The event, unless it is the outcome of a watched publish, which is kept for the watcher.
    pub fn claim(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::Published { id, result } if self.ids.remove(&id) => {
                self.outcomes
                    .push((id, result.map_err(|error| publish_error(&error))));
                None
            }
            event => Some(event),
        }
    }

    pub fn is_waiting(&self) -> bool {
        !self.outcomes.is_empty()
    }

    /// What the watcher is to be told now.
    pub fn take(&mut self) -> Option<(Callback<Outcomes>, Outcomes)> {
        if self.outcomes.is_empty() {
            return None;
        }
        let outcomes = std::mem::take(&mut self.outcomes);
        Some((self.watcher.clone()?, outcomes))
    }
}
