//! Rust type → PostgreSQL column type.
//!
//! [`SqlType`] is what a `#[derive(Table)]` field's type must implement. The derive asks it for the column
//! type and nullability at run time, so aliases and re-exports resolve exactly as rustc resolves them.
//! Optional integrations (uuid, chrono, time, rust_decimal, serde_json) sit behind cargo features.

use crate::model::ColumnType;

/// A Rust type that maps to a PostgreSQL column type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no PostgreSQL column type",
    label = "keel cannot map this type to a column",
    note = "derive `PgEnum` for an enum, implement `keel::SqlType`, enable the keel feature for the crate it comes from, or set `#[keel(sql_type = \"...\")]`"
)]
pub trait SqlType {
    /// The column type of a value of this type.
    fn column_type() -> ColumnType;

    /// Whether the column accepts NULL. Only `Option<T>` says yes.
    const NULLABLE: bool = false;
}

/// A type that may be the element of a `Vec`: `Vec<u8>` is `bytea`, `Vec<T>` is an array of `T`.
#[diagnostic::on_unimplemented(message = "`Vec<{Self}>` has no PostgreSQL column type")]
pub trait VecElement {
    fn vec_column_type() -> ColumnType;
}

impl<T: SqlType> VecElement for T {
    fn vec_column_type() -> ColumnType {
        ColumnType::array(T::column_type())
    }
}

impl VecElement for u8 {
    fn vec_column_type() -> ColumnType {
        ColumnType::Bytea
    }
}

impl<T: VecElement> SqlType for Vec<T> {
    fn column_type() -> ColumnType {
        T::vec_column_type()
    }
}

impl<T: SqlType> SqlType for Option<T> {
    fn column_type() -> ColumnType {
        T::column_type()
    }
    const NULLABLE: bool = true;
}

impl<T: SqlType + ?Sized> SqlType for Box<T> {
    fn column_type() -> ColumnType {
        T::column_type()
    }
    const NULLABLE: bool = T::NULLABLE;
}

macro_rules! sql_types {
    ($($rust:ty => $column:expr),* $(,)?) => {
        $(impl SqlType for $rust {
            fn column_type() -> ColumnType {
                $column
            }
        })*
    };
}

sql_types! {
    bool => ColumnType::Boolean,
    i16 => ColumnType::SmallInt,
    i32 => ColumnType::Integer,
    i64 => ColumnType::BigInt,
    f32 => ColumnType::Real,
    f64 => ColumnType::DoublePrecision,
    String => ColumnType::Text,
    str => ColumnType::Text,
    std::net::IpAddr => ColumnType::Inet,
    std::net::Ipv4Addr => ColumnType::Inet,
    std::net::Ipv6Addr => ColumnType::Inet,
    std::time::Duration => ColumnType::Interval,
}

#[cfg(feature = "uuid")]
sql_types! { uuid::Uuid => ColumnType::Uuid }

#[cfg(feature = "chrono")]
sql_types! {
    chrono::DateTime<chrono::Utc> => ColumnType::TIMESTAMPTZ,
    chrono::DateTime<chrono::FixedOffset> => ColumnType::TIMESTAMPTZ,
    chrono::NaiveDateTime => ColumnType::Timestamp { precision: None, with_time_zone: false },
    chrono::NaiveDate => ColumnType::Date,
    chrono::NaiveTime => ColumnType::Time { precision: None, with_time_zone: false },
}

#[cfg(feature = "time")]
sql_types! {
    time::OffsetDateTime => ColumnType::TIMESTAMPTZ,
    time::UtcDateTime => ColumnType::TIMESTAMPTZ,
    time::PrimitiveDateTime => ColumnType::Timestamp { precision: None, with_time_zone: false },
    time::Date => ColumnType::Date,
    time::Time => ColumnType::Time { precision: None, with_time_zone: false },
}

#[cfg(feature = "rust_decimal")]
sql_types! { rust_decimal::Decimal => ColumnType::Numeric { precision: None, scale: None } }

#[cfg(feature = "serde_json")]
sql_types! {
    serde_json::Value => ColumnType::Jsonb,
}

/// A value stored as `jsonb`: `Json<Settings>` for a typed document, for models that do not use sqlx. With
/// sqlx, enable keel's `sqlx` feature and declare `sqlx::types::Json<Settings>`: the same column type, and
/// the field also decodes with `sqlx::FromRow`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Json<T>(pub T);

impl<T> SqlType for Json<T> {
    fn column_type() -> ColumnType {
        ColumnType::Jsonb
    }
}

#[cfg(feature = "sqlx")]
impl<T> SqlType for sqlx::types::Json<T> {
    fn column_type() -> ColumnType {
        ColumnType::Jsonb
    }
}

/// Marker traits the derive uses to reject an attribute on a field whose type cannot carry it, at compile time.
pub mod capability {
    use super::Json;

    /// Types whose column may be `varchar(n)` or `char(n)`.
    #[diagnostic::on_unimplemented(message = "`varchar`/`char` need a text field, and `{Self}` is not text")]
    pub trait Text {}
    impl Text for String {}
    impl Text for str {}

    /// Types whose column may be `json` instead of `jsonb`.
    #[diagnostic::on_unimplemented(
        message = "`json` needs a JSON field (`serde_json::Value` or `Json<T>`), and `{Self}` is not"
    )]
    pub trait JsonDocument {}
    impl<T> JsonDocument for Json<T> {}
    #[cfg(feature = "serde_json")]
    impl JsonDocument for serde_json::Value {}

    /// Types that take `precision`/`scale`: numeric, and the time types.
    #[diagnostic::on_unimplemented(
        message = "`precision`/`scale` need a decimal or time field, and `{Self}` is neither"
    )]
    pub trait Precision {
        /// The largest precision PostgreSQL accepts for the type.
        const MAX_PRECISION: u16;
    }
    /// Time types keep at most microseconds.
    #[cfg(any(feature = "chrono", feature = "time"))]
    const TIME: u16 = 6;
    macro_rules! precision {
        ($($feature:literal: $ty:ty => $max:expr),* $(,)?) => {$(
            #[cfg(feature = $feature)]
            impl Precision for $ty {
                const MAX_PRECISION: u16 = $max;
            }
        )*};
    }
    precision! {
        "rust_decimal": rust_decimal::Decimal => 1000,
        "chrono": chrono::DateTime<chrono::Utc> => TIME,
        "chrono": chrono::DateTime<chrono::FixedOffset> => TIME,
        "chrono": chrono::NaiveDateTime => TIME,
        "chrono": chrono::NaiveTime => TIME,
        "time": time::OffsetDateTime => TIME,
        "time": time::PrimitiveDateTime => TIME,
        "time": time::Time => TIME,
    }
    impl<T: Precision> Precision for Option<T> {
        const MAX_PRECISION: u16 = T::MAX_PRECISION;
    }
    impl<T: Precision> Precision for Vec<T> {
        const MAX_PRECISION: u16 = T::MAX_PRECISION;
    }

    /// Types that take a `scale`: numeric.
    #[diagnostic::on_unimplemented(message = "`scale` needs a decimal field, and `{Self}` is not one")]
    pub trait Decimal {}
    #[cfg(feature = "rust_decimal")]
    impl Decimal for rust_decimal::Decimal {}

    /// Integer types: an optimistic-lock `version` or an identity column. Deliberately not seen through
    /// `Option` or `Vec`: an identity or version column is a single NOT NULL integer.
    #[diagnostic::on_unimplemented(message = "this attribute needs an integer field, and `{Self}` is not one")]
    pub trait Integer {}
    impl Integer for i16 {}
    impl Integer for i32 {}
    impl Integer for i64 {}

    /// Capabilities look through `Option<T>` and `Vec<T>`.
    macro_rules! through {
        ($($cap:ident),*) => {$(
            impl<T: $cap> $cap for Option<T> {}
            impl<T: $cap> $cap for Vec<T> {}
        )*};
    }
    through!(Text, JsonDocument, Decimal);
}
