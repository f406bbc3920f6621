//! Babysteps: the web app for couples therapists and their clients.
//!
//! This crate holds the UI (rendered on the server, hydrated in the browser), the server
//! functions, the domain types both sides share, and — behind the `ssr` feature only —
//! the database entities and the services.

// Release builds keep every view's full type (debug builds erase them), and the deepest
// pages (the exercise editor) need more than the default 128 levels.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;

/// Spare room in the browser build's read-only data, used by no code and so left out of
/// every file of the split build. cargo-leptos's WebAssembly splitter (`--split`) lays out
/// each module's constant data anew, and when its layout comes out longer than the linker's
/// (by alignment padding, or by strings the linker had stored once and several modules
/// now need), it gives up and puts all of it, about 240 KB, in the main module that every
/// page loads. These bytes lengthen the linker's layout, so the splitter's fits.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_SLACK: [u8; 16 * 1024] = [0x5a; 16 * 1024];

/// The browser entry point: hydrates the server-rendered page. Hydration is asynchronous
/// because each page's code is a separate WebAssembly chunk (`cargo leptos build --split`,
/// see `app::lazy_pages`), fetched before its server-rendered HTML is hydrated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body().expect("a page has a body");
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        // A marker for browser tests: the page is interactive from here on.
        let window = leptos::prelude::window();
        let _ = js_sys::Reflect::set(window.as_ref(), &"__hydrated".into(), &true.into());
    });
}
