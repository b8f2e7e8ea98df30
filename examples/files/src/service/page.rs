//! Offset pagination, as the guidelines page listings: page number and size in, items and total out.

use super::error::{Error, Result};

/// The largest page a listing returns.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A validated page: 1-based `page`, `per_page` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    per_page: u32,
}

impl PageRequest {
    /// Page `page` (1-based) of `per_page` items (1 to [`MAX_PAGE_SIZE`]).
    pub fn new(page: u32, per_page: u32) -> Result<PageRequest> {
        if page == 0 {
            return Err(Error::InvalidPage("pages are numbered from 1"));
        }
        if per_page == 0 || per_page > MAX_PAGE_SIZE {
            return Err(Error::InvalidPage("per_page must be between 1 and 100"));
        }
        Ok(PageRequest { page, per_page })
    }

    /// SQL `LIMIT`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// SQL `OFFSET`; a product of two `u32` always fits an `i64`.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// One page of a listing and how many items the whole listing has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}
