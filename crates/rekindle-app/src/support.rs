//! Support network and reading list over the item store.

use jiff::Timestamp;
use rekindle_core::FormErrors;
use rekindle_core::method::problem::Category;
use rekindle_core::support::{
    CuratedBook, MyBook, MyBookForm, ReadingList, ReadingStatus, Supporter, SupporterForm,
    validate_takeaway,
};
use rekindle_store::Store;

use crate::method::MethodError;

pub const SUPPORTER: &str = "supporter";
pub const BOOK: &str = "book";

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

pub fn supporters(store: &dyn Store) -> Result<Vec<(i64, Supporter)>, MethodError> {
    Ok(store
        .items(SUPPORTER)?
        .iter()
        .filter_map(|i| i.parse().map(|s| (i.id, s)))
        .collect())
}

pub fn save_supporter(
    store: &mut dyn Store,
    form: &SupporterForm,
    at: Timestamp,
) -> Result<i64, MethodError> {
    let s = form.validate()?;
    Ok(store.save_item(SUPPORTER, None, &json(&s), at)?)
}

/// One supporter that is not withdrawn.
pub fn supporter(store: &dyn Store, id: i64) -> Result<Supporter, MethodError> {
    store
        .item(id)?
        .filter(|i| i.kind == SUPPORTER)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)
}

/// Saves a changed supporter as a new version.
pub fn update_supporter(
    store: &mut dyn Store,
    id: i64,
    form: &SupporterForm,
    at: Timestamp,
) -> Result<(), MethodError> {
    supporter(store, id)?;
    let s = form.validate()?;
    store.save_item(SUPPORTER, Some(id), &json(&s), at)?;
    Ok(())
}

pub fn books(store: &dyn Store) -> Result<Vec<(i64, MyBook)>, MethodError> {
    Ok(store
        .items(BOOK)?
        .iter()
        .filter_map(|i| i.parse().map(|b| (i.id, b)))
        .collect())
}

/// One book that is not withdrawn.
pub fn book(store: &dyn Store, id: i64) -> Result<MyBook, MethodError> {
    store
        .item(id)?
        .filter(|i| i.kind == BOOK)
        .and_then(|i| i.parse())
        .ok_or(MethodError::NotFound)
}

pub fn add_book(
    store: &mut dyn Store,
    form: &MyBookForm,
    at: Timestamp,
) -> Result<i64, MethodError> {
    let b = form.validate()?;
    Ok(store.save_item(BOOK, None, &json(&b), at)?)
}

/// Adds a book of the curated list to the person's own list (once).
pub fn add_curated(
    store: &mut dyn Store,
    curated_id: &str,
    at: Timestamp,
) -> Result<i64, MethodError> {
    if let Some((id, _)) = books(store)?
        .into_iter()
        .find(|(_, b)| b.curated_id.as_deref() == Some(curated_id))
    {
        return Ok(id);
    }
    let list = ReadingList::built_in();
    let c = list
        .books
        .iter()
        .find(|b| b.id == curated_id)
        .ok_or(MethodError::NotFound)?;
    let b = MyBook {
        title: c.title.clone(),
        author: c.author.clone(),
        status: ReadingStatus::WantToRead,
        curated_id: Some(c.id.clone()),
        takeaways: Vec::new(),
        withdrawn_takeaways: Vec::new(),
    };
    Ok(store.save_item(BOOK, None, &json(&b), at)?)
}

pub fn set_status(
    store: &mut dyn Store,
    id: i64,
    status: &str,
    at: Timestamp,
) -> Result<(), MethodError> {
    let mut b = book(store, id)?;
    b.status = ReadingStatus::parse(status).ok_or_else(|| {
        let mut e = FormErrors::default();
        e.add("status", "Please choose a reading status.");
        MethodError::Form(e)
    })?;
    store.save_item(BOOK, Some(id), &json(&b), at)?;
    Ok(())
}

pub fn add_takeaway(
    store: &mut dyn Store,
    id: i64,
    text: &str,
    at: Timestamp,
) -> Result<(), MethodError> {
    let mut b = book(store, id)?;
    b.takeaways.push(validate_takeaway(text)?);
    store.save_item(BOOK, Some(id), &json(&b), at)?;
    Ok(())
}

/// The text of one takeaway, for turning it into an if-then plan.
pub fn takeaway(store: &dyn Store, id: i64, index: usize) -> Result<String, MethodError> {
    book(store, id)?
        .takeaways
        .get(index)
        .cloned()
        .ok_or(MethodError::NotFound)
}

/// The curated books suggested for the person's problems (best match
/// first), each with the problem categories it helps with, leaving out the
/// ones already on their own list.
pub fn suggestions(store: &dyn Store) -> Result<Vec<(CuratedBook, Vec<Category>)>, MethodError> {
    let mine = books(store)?;
    let mut categories: Vec<Category> = crate::method::problems(store)?
        .iter()
        .map(|p| p.problem.category)
        .collect();
    categories.dedup();
    let list = ReadingList::built_in();
    Ok(list
        .recommend(&categories)
        .into_iter()
        .filter(|(b, _)| {
            !mine
                .iter()
                .any(|(_, mb)| mb.curated_id.as_deref() == Some(b.id.as_str()))
        })
        .map(|(b, hits)| (b.clone(), hits))
        .collect())
}

/// Saves a book's changed title, author and status; its takeaways stay.
pub fn update_book(
    store: &mut dyn Store,
    id: i64,
    form: &MyBookForm,
    at: Timestamp,
) -> Result<(), MethodError> {
    let mut b = book(store, id)?;
    let new = form.validate()?;
    b.title = new.title;
    b.author = new.author;
    b.status = new.status;
    store.save_item(BOOK, Some(id), &json(&b), at)?;
    Ok(())
}

/// Rewrites one takeaway (the book's earlier version keeps the old text).
pub fn edit_takeaway(
    store: &mut dyn Store,
    id: i64,
    index: usize,
    text: &str,
    at: Timestamp,
) -> Result<(), MethodError> {
    let mut b = book(store, id)?;
    let slot = b.takeaways.get_mut(index).ok_or(MethodError::NotFound)?;
    *slot = validate_takeaway(text)?;
    store.save_item(BOOK, Some(id), &json(&b), at)?;
    Ok(())
}
