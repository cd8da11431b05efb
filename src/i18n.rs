//! The one translation table: every string the UI shows, in English and German.

use leptos::prelude::*;

use crate::app::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The code sent as `Accept-Language`, stored in local storage and set on `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| code.to_ascii_lowercase().starts_with(l.code()))
    }

    /// The language's own name, shown in the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    pub fn text(self, key: Key) -> &'static str {
        let (en, de) = match key {
            Key::AppName => ("Lectern", "Lectern"),
            Key::Language => ("Language", "Sprache"),
            Key::Logout => ("Log out", "Abmelden"),
            Key::Login => ("Log in", "Anmelden"),
            Key::LoginTitle => ("Log in to Lectern", "Bei Lectern anmelden"),
            Key::Email => ("Email", "E-Mail"),
            Key::Password => ("Password", "Passwort"),
            Key::Loading => ("Loading…", "Wird geladen…"),
            Key::Dismiss => ("Dismiss", "Schließen"),
            Key::NotFound => ("Page not found.", "Seite nicht gefunden."),
            Key::Projects => ("Projects", "Projekte"),
            Key::NoProjects => ("No projects yet.", "Noch keine Projekte."),
            Key::NewProject => ("New project", "Neues Projekt"),
            Key::Name => ("Name", "Name"),
            Key::Create => ("Create", "Anlegen"),
            Key::Save => ("Save", "Speichern"),
            Key::Delete => ("Delete", "Löschen"),
            Key::Setup => ("Set up", "Einrichten"),
            Key::BackToProjects => ("All projects", "Alle Projekte"),
            Key::Categories => ("Categories", "Kategorien"),
            Key::NewCategory => ("New category", "Neue Kategorie"),
            Key::Labels => ("Labels", "Labels"),
            Key::NewLabel => ("New label", "Neues Label"),
            Key::DataType => ("Data type", "Datentyp"),
            Key::LabelSets => ("Label sets", "Label-Sets"),
            Key::NewLabelSet => ("New label set", "Neues Label-Set"),
            Key::Multiple => ("May occur several times", "Kann mehrfach vorkommen"),
            Key::UsedInCategories => ("Used in categories", "Verwendet in Kategorien"),
            Key::ContainsLabels => ("Contains labels", "Enthält Labels"),
            Key::UsesLabelSets => ("Uses label sets", "Verwendet Label-Sets"),
            Key::TypeText => ("Text", "Text"),
            Key::TypeNumber => ("Number", "Zahl"),
            Key::TypePositiveNumber => ("Positive number", "Positive Zahl"),
            Key::TypePercentage => ("Percentage", "Prozentsatz"),
            Key::TypeDate => ("Date", "Datum"),
            Key::TypeTrueFalse => ("Yes/No", "Ja/Nein"),
            Key::Empty => ("None yet.", "Noch keine."),
            Key::Documents => ("Documents", "Dokumente"),
            Key::NoDocuments => ("No documents.", "Keine Dokumente."),
            Key::FileName => ("File name", "Dateiname"),
            Key::Status => ("Status", "Status"),
            Key::Category => ("Category", "Kategorie"),
            Key::Pages => ("Pages", "Seiten"),
            Key::Uploaded => ("Uploaded", "Hochgeladen"),
            Key::Assignee => ("Assignee", "Zuständig"),
            Key::AssigneeEmail => ("Assignee (email)", "Zuständig (E-Mail)"),
            Key::StatusProcessing => ("Processing", "In Verarbeitung"),
            Key::StatusNeedsReview => ("Needs review", "Zu prüfen"),
            Key::StatusReviewed => ("Reviewed", "Geprüft"),
            Key::StatusError => ("Error", "Fehler"),
            Key::StatusSplit => ("Waiting for split confirmation", "Wartet auf Bestätigung der Aufteilung"),
            Key::Filters => ("Filters", "Filter"),
            Key::All => ("All", "Alle"),
            Key::Yes => ("Yes", "Ja"),
            Key::No => ("No", "Nein"),
            Key::Previous => ("Previous", "Zurück"),
            Key::Next => ("Next", "Weiter"),
            Key::Of => ("of", "von"),
            Key::Upload => ("Upload documents", "Dokumente hochladen"),
            Key::DropZone => ("Drop files here, or press to choose files", "Dateien hier ablegen oder drücken, um Dateien auszuwählen"),
            Key::ChooseFiles => ("Choose files", "Dateien auswählen"),
            Key::Uploading => ("Uploading…", "Wird hochgeladen…"),
            Key::UploadProgress => ("Upload progress", "Fortschritt des Hochladens"),
            Key::NetworkError => (
                "The server cannot be reached.",
                "Der Server ist nicht erreichbar.",
            ),
            Key::BadResponse => (
                "The server sent an unexpected response.",
                "Der Server hat unerwartet geantwortet.",
            ),
        };
        match self {
            Lang::En => en,
            Lang::De => de,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppName,
    Language,
    Logout,
    Login,
    LoginTitle,
    Email,
    Password,
    Loading,
    Dismiss,
    NotFound,
    Projects,
    NoProjects,
    NewProject,
    Name,
    Create,
    Save,
    Delete,
    Setup,
    BackToProjects,
    Categories,
    NewCategory,
    Labels,
    NewLabel,
    DataType,
    LabelSets,
    NewLabelSet,
    Multiple,
    UsedInCategories,
    ContainsLabels,
    UsesLabelSets,
    TypeText,
    TypeNumber,
    TypePositiveNumber,
    TypePercentage,
    TypeDate,
    TypeTrueFalse,
    Empty,
    Documents,
    NoDocuments,
    FileName,
    Status,
    Category,
    Pages,
    Uploaded,
    Assignee,
    AssigneeEmail,
    StatusProcessing,
    StatusNeedsReview,
    StatusReviewed,
    StatusError,
    StatusSplit,
    Filters,
    All,
    Yes,
    No,
    Previous,
    Next,
    Of,
    Upload,
    DropZone,
    ChooseFiles,
    Uploading,
    UploadProgress,
    NetworkError,
    BadResponse,
}

impl Key {
    /// The name shown for one of the API's `DATA_TYPES`.
    pub fn data_type(data_type: &str) -> Option<Key> {
        Some(match data_type {
            "Text" => Key::TypeText,
            "Number" => Key::TypeNumber,
            "Positive Number" => Key::TypePositiveNumber,
            "Percentage" => Key::TypePercentage,
            "Date" => Key::TypeDate,
            "True/False" => Key::TypeTrueFalse,
            _ => return None,
        })
    }
}

/// A reactive translation: re-renders wherever it is used when the language changes.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = expect_context::<Session>().lang;
    move || lang.get().text(key)
}
