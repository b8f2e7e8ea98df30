//! The file service: async functions over a [`sqlx::PgPool`], one module per job.
//!
//! Every query is scoped by the caller's `user_id` (a user never reads, changes or learns of another user's
//! rows: those are [`Error::NotFound`]), and every read of files and folders skips soft-deleted rows.

mod create;
mod delete;
mod downloads;
mod error;
mod folders;
mod page;
mod read;
mod tagged;
mod tags;

pub use create::{Upload, create_file};
pub use delete::{hard_delete_file, soft_delete_file};
pub use downloads::record_download;
pub use error::{Error, Kind, Result};
pub use folders::{FolderContents, create_folder, folder_contents};
pub use page::{MAX_PAGE_SIZE, Page, PageRequest};
pub use read::{file_versions, get_file, list_files};
pub use tagged::{FileWithTags, list_files_with_tags};
pub use tags::{create_tag, tag_file, untag_file};
