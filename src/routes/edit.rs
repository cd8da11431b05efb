//! The edit mode (`/projects/:project/documents/:id/edit`): turn, reorder and cut the pages in a thumbnail grid,
//! then name and categorise each part and postprocess (§15.1); a document waiting at status 41 opens here with
//! the suggested split.

use lectern_api::documents::{status, DocumentDetail, DocumentWrite, ProposedPart};
use lectern_api::Category;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::client;
use crate::components::icons::{Glyph, Icon};
use crate::components::notice::use_notice;
use crate::components::page_canvas::PageImage;
use crate::i18n::{tr, Key};
use crate::review::edit::{EditPlan, PartInfo};
use crate::session::use_session;

#[component]
pub fn EditDocument() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let id = move || params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())).unwrap_or(0);
    let project = move || params.with_untracked(|p| p.get("project").and_then(|v| v.parse::<i64>().ok())).unwrap_or(0);
    let loaded = LocalResource::new(move || async move {
        let doc = client::document(session, id()).await?;
        let categories = client::categories(session, doc.document.project).await?;
        Ok::<_, client::ApiError>((doc, categories))
    });
    view! {
        <main class="edit" data-test="edit">
            <Suspense fallback=|| view! { <p>{tr(Key::Loading)}</p> }>
                {move || {
                    loaded.get().map(|result| match result {
                        Ok((doc, categories)) => view! { <Editor doc categories project=project() /> }.into_any(),
                        Err(e) => {
                            view! { <p class="error" data-test="error">{e.message(session.lang.get_untracked())}</p> }
                                .into_any()
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// The two steps: the page grid, then the parts' names and categories.
#[component]
fn Editor(doc: DocumentDetail, categories: Vec<Category>, project: i64) -> impl IntoView {
    let session = use_session();
    let notice = use_notice();
    let navigate = use_navigate();
    let id = doc.document.id;
    let plan = RwSignal::new(EditPlan::new(doc.pages.iter().map(|p| (p.id, p.number))));
    let thumbnails: Vec<(i64, String)> = doc.pages.iter().map(|p| (p.id, p.thumbnail_url.clone())).collect();
    let proposal = doc.document.proposed_split.clone().filter(|p| p.len() > 1);
    let use_proposal = RwSignal::new(false);
    if let Some(p) = &proposal {
        if doc.document.status_data == status::WAITING_FOR_SPLIT {
            plan.update(|plan| plan.apply_proposal(p));
            use_proposal.set(true);
        }
    }
    let naming = RwSignal::new(false);
    let infos = RwSignal::new(Vec::<PartInfo>::new());
    let busy = RwSignal::new(false);
    // The server's refusal to part annotations, one message each; while shown, applying deletes them.
    let refused = RwSignal::new(Vec::<String>::new());
    let name = doc.document.data_file_name.clone();
    let category = doc.document.category;
    let proposal_for_infos = proposal.clone();
    let categories = StoredValue::new(categories);

    let to_naming = move |_| {
        let parts = plan.with_untracked(|p| p.parts().len());
        infos.set(
            (0..parts)
                .map(|i| {
                    let suggested =
                        proposal_for_infos.as_ref().filter(|_| use_proposal.get_untracked()).and_then(|p| p.get(i));
                    PartInfo {
                        name: if i == 0 { name.clone() } else { format!("{name} ({})", i + 1) },
                        category: suggested.map(|part| part.category).unwrap_or(category),
                        candidates: suggested.map(candidates).unwrap_or_default(),
                    }
                })
                .collect(),
        );
        naming.set(true);
    };
    // As DVUI does: with nothing turned, moved or cut, only the name and category change (a PATCH), unless the
    // document waits for its split to be confirmed.
    let waiting = doc.document.status_data == status::WAITING_FOR_SPLIT;
    let submit = move |_| {
        let navigate = navigate.clone();
        let open = move |first: i64| navigate(&format!("/projects/{project}/documents/{first}"), Default::default());
        busy.set(true);
        let infos = infos.get_untracked();
        if plan.with_untracked(|p| p.is_unchanged()) && !waiting {
            let info = infos.first().cloned().unwrap_or_default();
            let write = DocumentWrite {
                data_file_name: Some(info.name).filter(|n| !n.trim().is_empty()),
                category: Some(info.category),
                category_is_revised: Some(true),
                ..Default::default()
            };
            notice.run(client::update_document(session, id, write), move |done| {
                busy.set(false);
                if done.is_some() {
                    open(id);
                }
            });
            return;
        }
        let body = plan.with_untracked(|p| p.body(&infos));
        let drop_annotations = !refused.with_untracked(Vec::is_empty);
        notice.clear();
        spawn_local(async move {
            let done = client::postprocess(session, id, body, drop_annotations).await;
            busy.set(false);
            match done {
                Ok(docs) => open(docs.first().map_or(id, |d| d.document.id)),
                // Annotations across a cut are named first; only "apply and delete" sends the edit again.
                Err(e) if !e.field("annotations").is_empty() => refused.set(e.field("annotations")),
                Err(e) => notice.show(e),
            }
        });
    };
    let keys = move |ev: KeyboardEvent| {
        let handled = match ev.key().as_str() {
            "ArrowLeft" | "ArrowUp" => plan.update(|p| p.move_focus(-1)),
            "ArrowRight" | "ArrowDown" => plan.update(|p| p.move_focus(1)),
            "r" | "R" => plan.update(|p| p.rotate_focused(!ev.shift_key())),
            "s" | "S" => plan.update(|p| p.toggle_split(p.focus)),
            " " => plan.update(|p| p.toggle_selected(p.pages[p.focus].id)),
            _ => return,
        };
        ev.prevent_default();
        handled
    };

    view! {
        <header class="edit-bar">
            <h1>{tr(Key::EditPages)}</h1>
            <Show when=move || !naming.get()>
                <button type="button" data-test="rotate-left" on:click=move |_| plan.update(|p| p.rotate(false))>
                    {tr(Key::RotateLeft)}
                </button>
                <button type="button" data-test="rotate-right" on:click=move |_| plan.update(|p| p.rotate(true))>
                    {tr(Key::RotateRight)}
                </button>
                {proposal.clone().map(|p| view! {
                    <label class="switch">
                        <input type="checkbox" data-test="use-proposal" prop:checked=move || use_proposal.get()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                use_proposal.set(on);
                                plan.update(|plan| if on { plan.apply_proposal(&p) } else { plan.splits.clear() });
                            } />
                        {tr(Key::UseSuggestedSplit)}
                    </label>
                })}
                <button type="button" class="primary" data-test="next-step" on:click=to_naming.clone()>
                    {tr(Key::NextStep)}
                </button>
            </Show>
        </header>
        <Show when=move || !naming.get()>
            <p class="hint">{tr(Key::EditHelp)}</p>
            <ol class="page-grid" data-test="page-grid" tabindex="0" aria-label=tr(Key::Pages) on:keydown=keys>
                {
                    let thumbnails = thumbnails.clone();
                    move || {
                        let p = plan.get();
                        let last = p.pages.len().saturating_sub(1);
                        p.pages.iter().enumerate().map(|(at, page)| {
                            let thumbnail = thumbnails.iter().find(|(pid, _)| *pid == page.id).map(|(_, t)| t.clone()).unwrap_or_default();
                            let page_id = page.id;
                            let label = Signal::derive(move || format!("{} {}", session.lang.get().text(Key::Page), at + 1));
                            let cut = p.splits.contains(&at);
                            view! {
                                <li class="grid-page" class:selected=p.selected.contains(&page_id) class:focused=p.focus == at
                                    data-test="grid-page" data-id=page_id data-angle=page.angle draggable="true"
                                    on:dragstart=move |ev| {
                                        if let Some(dt) = ev.data_transfer() { let _ = dt.set_data("text/plain", &at.to_string()); }
                                    }
                                    on:dragover=|ev| ev.prevent_default()
                                    on:drop=move |ev| {
                                        ev.prevent_default();
                                        let from = ev.data_transfer().and_then(|dt| dt.get_data("text/plain").ok()).and_then(|v| v.parse().ok());
                                        if let Some(from) = from { plan.update(|p| p.move_page(from, at)); }
                                    }>
                                    <button type="button" class="grid-thumb" aria-label=label aria-pressed=p.selected.contains(&page_id).to_string()
                                        on:click=move |_| plan.update(|p| { p.focus = at; p.toggle_selected(page_id); })>
                                        <span class="turn" style=format!("transform: rotate({}deg)", page.angle)>
                                            <PageImage path=thumbnail alt=label />
                                        </span>
                                        <span class="number">{at + 1}</span>
                                    </button>
                                    {(at < last).then(|| view! {
                                        <button type="button" class="split-toggle" class:cut=cut data-test="split-toggle"
                                            aria-pressed=cut.to_string()
                                            aria-label=move || format!("{} {}", session.lang.get().text(Key::SplitAfterPage), at + 1)
                                            on:click=move |_| plan.update(|p| p.toggle_split(at))>
                                            <Glyph icon=if cut { Icon::Cut } else { Icon::Join } />
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()
                    }
                }
            </ol>
        </Show>
        <Show when=move || naming.get()>
            <ol class="parts" data-test="parts">
                {move || {
                    let parts = plan.with(|p| p.parts().iter().map(|pages| pages.len()).collect::<Vec<_>>());
                    parts.into_iter().enumerate().map(|(i, count)| {
                        let categories = categories.get_value();
                        view! {
                            <li class="part" data-test="part">
                                <span class="count">{move || format!("{count} {}", session.lang.get().text(if count == 1 { Key::Page } else { Key::Pages }))}</span>
                                <span class="candidates" data-test="part-candidates">
                                    {move || infos.with(|v| v.get(i).map(|p| {
                                        p.candidates.iter().map(|(name, c)| format!("{name} {:.0} %", c * 100.0)).collect::<Vec<_>>().join(", ")
                                    }).unwrap_or_default())}
                                </span>
                                <input type="text" data-test="part-name" aria-label=tr(Key::Name)
                                    prop:value=move || infos.with(|v| v.get(i).map(|p| p.name.clone()).unwrap_or_default())
                                    on:input=move |ev| infos.update(|v| if let Some(p) = v.get_mut(i) { p.name = event_target_value(&ev) }) />
                                <select data-test="part-category" aria-label=tr(Key::Category)
                                    on:change=move |ev| infos.update(|v| if let Some(p) = v.get_mut(i) {
                                        p.category = event_target_value(&ev).parse().ok();
                                    })>
                                    <option value="" selected=move || infos.with(|v| v.get(i).is_some_and(|p| p.category.is_none()))>"—"</option>
                                    {categories.into_iter().map(|c| {
                                        let cid = c.id;
                                        view! {
                                            <option value=cid.to_string()
                                                selected=move || infos.with(|v| v.get(i).is_some_and(|p| p.category == Some(cid)))>
                                                {c.name}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            <Show when=move || !refused.with(Vec::is_empty)>
                <section class="refused" role="alert" data-test="annotations-refused">
                    <p>{tr(Key::AnnotationsAcrossCut)}</p>
                    <ul>
                        {move || refused.get().into_iter().map(|m| view! { <li data-test="refused-annotation">{m}</li> }).collect_view()}
                    </ul>
                </section>
            </Show>
            <div class="edit-actions">
                <button type="button" data-test="back" on:click=move |_| { refused.set(Vec::new()); naming.set(false) }>
                    {tr(Key::Back)}
                </button>
                <button type="button" class=move || if refused.with(Vec::is_empty) { "primary" } else { "danger" }
                    data-test="submit-edit" disabled=move || busy.get() on:click=submit.clone()>
                    {move || tr(if refused.with(Vec::is_empty) { Key::ApplyEdit } else { Key::ApplyAndDelete })()}
                </button>
            </div>
        </Show>
    }
}

/// The category candidates of a part of `proposed_split` (§15.2): names with confidences.
fn candidates(part: &ProposedPart) -> Vec<(String, f64)> {
    part.categories.iter().filter_map(|c| Some((c.name.clone()?, c.confidence))).collect()
}
