//! Forms for the product commands of seed 002.

use leptos::prelude::*;
use serde_json::json;

use super::form::{dispatch, number, AggregatePicker, Field};
use super::session::use_session;
use crate::browser::environment::new_uuid;

#[component]
pub fn ProductCommands() -> impl IntoView {
    let session = use_session();
    let busy = session.sending;
    let name = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let category = RwSignal::new("pc".to_owned());
    let product = RwSignal::new(String::new());
    let new_price = RwSignal::new(String::new());

    let create = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = new_uuid();
        let data = json!({ "name": name.get_untracked(), "price": number(&price.get_untracked()), "category_id": category.get_untracked() });
        dispatch(session, "CreateProduct", id.clone(), data, move || {
            product.set(id);
            name.set(String::new());
            price.set(String::new());
        });
    };
    let update = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        dispatch(session, "UpdatePrice", product.get_untracked(), json!({ "new_price": number(&new_price.get_untracked()) }), move || {
            new_price.set(String::new());
        });
    };

    view! {
        <section class="command-forms" aria-label="Product commands">
            <form class="command" on:submit=create data-testid="form-create-product">
                <h3>"CreateProduct"</h3>
                <Field label="Name" testid="product-title" value=name placeholder="ノートPC"/>
                <div class="row">
                    <Field label="Price" testid="product-price" value=price numeric=true placeholder="120000"/>
                    <Field label="Category" testid="product-category" value=category/>
                    <button type="submit" disabled=move || busy.get() data-testid="create-product">"Create"</button>
                </div>
            </form>
            <form class="command" on:submit=update data-testid="form-update-price">
                <h3>"UpdatePrice"</h3>
                <AggregatePicker label="Product" testid="product-picker" stream_type="Product" value=product session=session/>
                <div class="row">
                    <Field label="New price" testid="new-price" value=new_price numeric=true/>
                    <button type="submit" disabled=move || busy.get() || product.get().is_empty() data-testid="update-price">"Update"</button>
                </div>
            </form>
        </section>
    }
}
