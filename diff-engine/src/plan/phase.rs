//! The coarse phases of a plan, in one place. Dependencies order the statements; among the statements
//! that are ready, the lowest rank runs first. Adds run early, drops late: dependents are dropped first
//! (views, policies, triggers), then the schema is built up (schemas, types, tables, columns, keys,
//! indexes, functions, views, policies), then what is gone is torn down, innermost first.

/// When a statement runs, all else being equal. Several phases share a rank: their statements interleave
/// by the dependency order alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Phase {
    #[default]
    CreateSchema,
    /// Row level security switched off before any of its policies is dropped.
    DisableRowSecurity,
    DropView,
    DropPolicy,
    DropTrigger,
    /// Extended statistics dropped before the tables and columns they cover change.
    DropStatistics,
    CreateExtension,
    UpdateExtension,
    /// Enums created, renamed, their values renamed.
    CreateEnum,
    /// Domains and composite types created, after the enums they may use.
    CreateType,
    AddEnumValue,
    /// `ALTER DOMAIN` and `ALTER TYPE ... ATTRIBUTE` in place.
    AlterType,
    /// Sequences created or altered, their values moved into a new range.
    CreateSequence,
    RenameSequence,
    RenameTable,
    DetachPartition,
    /// Columns, constraints and indexes renamed.
    RenameInTable,
    CreateTable,
    /// Partitions created or attached.
    CreatePartition,
    DropExpression,
    AddColumn,
    /// An enum, domain or composite type replaced: renamed away, created anew, its columns cast.
    RecreateType,
    AlterColumnType,
    /// A generated column's new expression (`SET EXPRESSION`), once the columns it reads exist.
    SetExpression,
    DropIdentity,
    SetDefault,
    /// `SET` / `DROP NOT NULL`, and the online check that stands in for the scan.
    NotNull,
    Identity,
    /// Primary keys and unique constraints added; sequences given their owner column.
    AddKey,
    /// Checks and exclusion constraints added.
    AddCheck,
    /// Online: checks added `NOT VALID` and validated, after the plain ones.
    AddCheckOnline,
    CreateIndex,
    /// Extended statistics created once their table and columns exist.
    CreateStatistics,
    AddForeignKey,
    CreateFunction,
    CommentFunction,
    /// Online: foreign keys added `NOT VALID` and validated, after the plain ones.
    AddForeignKeyOnline,
    ValidateConstraint,
    CreateTrigger,
    /// Triggers enabled or disabled, and commented.
    AlterTrigger,
    /// Comments, once the objects exist under their new names.
    Comment,
    DropForeignKey,
    /// Views created or replaced: after the tables, columns and indexes they read.
    CreateView,
    CommentView,
    DropIndex,
    /// Policies created or altered: after the tables, columns and views they read.
    CreatePolicy,
    CommentPolicy,
    DropConstraint,
    /// Row level security switched on after the table's policies exist.
    EnableRowSecurity,
    UnsetSequenceOwner,
    DropColumn,
    DropPartition,
    DropTable,
    DropFunction,
    DropSequence,
    DropEnum,
    /// Domains and composite types dropped, after what uses them.
    DropType,
    DropExtension,
    DropSchema,
}

impl Phase {
    /// The phase's place: lower runs earlier.
    pub(crate) fn rank(self) -> u32 {
        match self {
            Phase::CreateSchema => 0,
            Phase::DisableRowSecurity => 4,
            Phase::DropView | Phase::DropPolicy => 5,
            Phase::DropTrigger | Phase::DropStatistics => 6,
            Phase::CreateExtension => 10,
            Phase::UpdateExtension => 11,
            Phase::CreateEnum => 20,
            Phase::CreateType => 22,
            Phase::AddEnumValue => 30,
            Phase::AlterType => 35,
            Phase::CreateSequence => 40,
            Phase::RenameSequence => 45,
            Phase::RenameTable => 50,
            Phase::DetachPartition => 55,
            Phase::RenameInTable => 60,
            Phase::CreateTable => 70,
            Phase::CreatePartition => 75,
            Phase::DropExpression => 80,
            Phase::AddColumn => 90,
            Phase::RecreateType => 100,
            Phase::AlterColumnType => 110,
            Phase::SetExpression => 112,
            Phase::DropIdentity => 115,
            Phase::SetDefault => 120,
            Phase::NotNull => 130,
            Phase::Identity => 140,
            Phase::AddKey => 150,
            Phase::AddCheck => 160,
            Phase::AddCheckOnline => 165,
            Phase::CreateIndex | Phase::CreateStatistics => 170,
            Phase::AddForeignKey | Phase::CreateFunction => 180,
            Phase::CommentFunction => 181,
            Phase::AddForeignKeyOnline | Phase::ValidateConstraint | Phase::CreateTrigger => 185,
            Phase::AlterTrigger => 186,
            Phase::Comment => 190,
            Phase::DropForeignKey | Phase::CreateView => 200,
            Phase::CommentView => 201,
            Phase::DropIndex | Phase::CreatePolicy => 210,
            Phase::CommentPolicy => 211,
            Phase::DropConstraint | Phase::EnableRowSecurity => 220,
            Phase::UnsetSequenceOwner => 230,
            Phase::DropColumn => 240,
            Phase::DropPartition => 245,
            Phase::DropTable => 250,
            Phase::DropFunction => 255,
            Phase::DropSequence => 260,
            Phase::DropEnum => 270,
            Phase::DropType => 272,
            Phase::DropExtension => 280,
            Phase::DropSchema => 290,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Phase;

    #[test]
    fn adds_run_before_drops() {
        assert!(Phase::CreateSchema.rank() < Phase::CreateTable.rank());
        assert!(Phase::CreateTable.rank() < Phase::AddColumn.rank());
        assert!(Phase::DropColumn.rank() < Phase::DropTable.rank());
        assert!(Phase::DropTable.rank() < Phase::DropSchema.rank());
        assert!(Phase::DropView.rank() < Phase::CreateExtension.rank());
    }
}
