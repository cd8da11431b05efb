//! The review view's keyboard shortcuts, decided from a key event's fields.

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Previous,
    Next,
    Accept,
    Cancel,
    MarkMissing,
    Help,
    Undo,
    Redo,
}

/// The shortcut for `key` (`KeyboardEvent.key`); `in_field` when the focus is in a text field, where only
/// Esc counts (typing must not accept or delete anything).
pub fn shortcut(key: &str, ctrl_or_meta: bool, shift: bool, in_field: bool) -> Option<Shortcut> {
    if in_field {
        return (key == "Escape").then_some(Shortcut::Cancel);
    }
    Some(match key {
        "z" | "Z" if ctrl_or_meta && shift => Shortcut::Redo,
        "z" | "Z" if ctrl_or_meta => Shortcut::Undo,
        "y" if ctrl_or_meta => Shortcut::Redo,
        _ if ctrl_or_meta => return None,
        "ArrowUp" => Shortcut::Previous,
        "ArrowDown" => Shortcut::Next,
        "Enter" => Shortcut::Accept,
        "Escape" => Shortcut::Cancel,
        "Delete" => Shortcut::MarkMissing,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shortcuts() {
        assert_eq!(shortcut("ArrowDown", false, false, false), Some(Shortcut::Next));
        assert_eq!(shortcut("ArrowUp", false, false, false), Some(Shortcut::Previous));
        assert_eq!(shortcut("Enter", false, false, false), Some(Shortcut::Accept));
        assert_eq!(shortcut("Delete", false, false, false), Some(Shortcut::MarkMissing));
        assert_eq!(shortcut("?", false, true, false), Some(Shortcut::Help));
        assert_eq!(shortcut("z", true, false, false), Some(Shortcut::Undo));
        assert_eq!(shortcut("Z", true, true, false), Some(Shortcut::Redo));
        assert_eq!(shortcut("Enter", true, false, false), None);
        assert_eq!(shortcut("a", false, false, false), None);
    }

    #[test]
    fn text_fields_keep_their_keys() {
        assert_eq!(shortcut("Enter", false, false, true), None);
        assert_eq!(shortcut("Delete", false, false, true), None);
        assert_eq!(shortcut("z", true, false, true), None, "the field's own undo");
        assert_eq!(shortcut("Escape", false, false, true), Some(Shortcut::Cancel));
    }
}
