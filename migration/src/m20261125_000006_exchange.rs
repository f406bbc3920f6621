//! Steps 3 to 5 and the private channel to the therapist: wishes (from step 1's lists),
//! the smaller-step offers in each wish's thread, agreements to practise, weekly
//! check-ins, each partner's step 5 entry and the pact, and private notes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    PactCompletedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    ShareRatings,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    Id,
    CaseId,
    WisherId,
    AddresseeId,
    Text,
    Kind,
    Importance,
    State,
    Ease,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    WishId,
    Text,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    Id,
    CaseId,
    WishId,
    GiverId,
    ReceiverId,
    Text,
    Ease,
    TimesPerWeek,
    Chosen,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    Id,
    CaseId,
    PartnerId,
    WeekStart,
    MyPart,
    Noticed,
    Emotional,
    Physical,
    Note,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PactEntries {
    Table,
    Id,
    CaseId,
    PartnerId,
    LettingGo,
    Shared,
    WantsConversation,
    ConfirmedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PrivateNotes {
    Table,
    Id,
    CaseId,
    PartnerId,
    Body,
    CreatedAt,
    ReadAt,
}

fn to_case<T: IntoIden>(table: T, column: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Cases::Table, Cases::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn to_partner<T: IntoIden>(table: T, column: impl IntoIden, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Partners::Table, Partners::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(timestamp_with_time_zone_null(Cases::PactCompletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Partners::Table)
                    .add_column(boolean(Partners::ShareRatings).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Wishes::Table)
                    .col(pk_auto(Wishes::Id))
                    .col(integer(Wishes::CaseId))
                    .col(integer(Wishes::WisherId))
                    .col(integer(Wishes::AddresseeId))
                    .col(string_len(Wishes::Text, 300))
                    .col(string_len(Wishes::Kind, 16))
                    .col(small_integer(Wishes::Importance))
                    .col(string_len(Wishes::State, 16))
                    .col(small_integer_null(Wishes::Ease))
                    .col(integer(Wishes::Version))
                    .col(timestamp_with_time_zone(Wishes::CreatedAt))
                    .col(timestamp_with_time_zone(Wishes::UpdatedAt))
                    .foreign_key(&mut to_case(Wishes::Table, Wishes::CaseId, "fk_wishes_case"))
                    .foreign_key(&mut to_partner(Wishes::Table, Wishes::WisherId, "fk_wishes_wisher"))
                    .foreign_key(&mut to_partner(Wishes::Table, Wishes::AddresseeId, "fk_wishes_addressee"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_wishes_case").table(Wishes::Table).col(Wishes::CaseId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(pk_auto(Offers::Id))
                    .col(integer(Offers::WishId))
                    .col(string_len(Offers::Text, 300))
                    .col(string_len(Offers::Status, 16))
                    .col(timestamp_with_time_zone(Offers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offers_wish")
                            .from(Offers::Table, Offers::WishId)
                            .to(Wishes::Table, Wishes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Agreements::Table)
                    .col(pk_auto(Agreements::Id))
                    .col(integer(Agreements::CaseId))
                    .col(integer_uniq(Agreements::WishId))
                    .col(integer(Agreements::GiverId))
                    .col(integer(Agreements::ReceiverId))
                    .col(string_len(Agreements::Text, 300))
                    .col(small_integer_null(Agreements::Ease))
                    .col(small_integer(Agreements::TimesPerWeek))
                    .col(boolean(Agreements::Chosen))
                    .col(timestamp_with_time_zone(Agreements::CreatedAt))
                    .foreign_key(&mut to_case(Agreements::Table, Agreements::CaseId, "fk_agreements_case"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agreements_wish")
                            .from(Agreements::Table, Agreements::WishId)
                            .to(Wishes::Table, Wishes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckIns::Table)
                    .col(pk_auto(CheckIns::Id))
                    .col(integer(CheckIns::CaseId))
                    .col(integer(CheckIns::PartnerId))
                    .col(date(CheckIns::WeekStart))
                    .col(string_len(CheckIns::MyPart, 16))
                    .col(string_len(CheckIns::Noticed, 16))
                    .col(small_integer(CheckIns::Emotional))
                    .col(small_integer(CheckIns::Physical))
                    .col(text(CheckIns::Note))
                    .col(timestamp_with_time_zone(CheckIns::UpdatedAt))
                    .foreign_key(&mut to_case(CheckIns::Table, CheckIns::CaseId, "fk_check_ins_case"))
                    .foreign_key(&mut to_partner(
                        CheckIns::Table,
                        CheckIns::PartnerId,
                        "fk_check_ins_partner",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_check_ins_partner_week")
                    .table(CheckIns::Table)
                    .col(CheckIns::PartnerId)
                    .col(CheckIns::WeekStart)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PactEntries::Table)
                    .col(pk_auto(PactEntries::Id))
                    .col(integer(PactEntries::CaseId))
                    .col(integer_uniq(PactEntries::PartnerId))
                    .col(text(PactEntries::LettingGo))
                    .col(boolean(PactEntries::Shared))
                    .col(boolean(PactEntries::WantsConversation))
                    .col(timestamp_with_time_zone_null(PactEntries::ConfirmedAt))
                    .col(timestamp_with_time_zone(PactEntries::UpdatedAt))
                    .foreign_key(&mut to_case(PactEntries::Table, PactEntries::CaseId, "fk_pact_case"))
                    .foreign_key(&mut to_partner(
                        PactEntries::Table,
                        PactEntries::PartnerId,
                        "fk_pact_partner",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PrivateNotes::Table)
                    .col(pk_auto(PrivateNotes::Id))
                    .col(integer(PrivateNotes::CaseId))
                    .col(integer(PrivateNotes::PartnerId))
                    .col(text(PrivateNotes::Body))
                    .col(timestamp_with_time_zone(PrivateNotes::CreatedAt))
                    .col(timestamp_with_time_zone_null(PrivateNotes::ReadAt))
                    .foreign_key(&mut to_case(PrivateNotes::Table, PrivateNotes::CaseId, "fk_notes_case"))
                    .foreign_key(&mut to_partner(
                        PrivateNotes::Table,
                        PrivateNotes::PartnerId,
                        "fk_notes_partner",
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PrivateNotes::Table.into_iden(),
            PactEntries::Table.into_iden(),
            CheckIns::Table.into_iden(),
            Agreements::Table.into_iden(),
            Offers::Table.into_iden(),
            Wishes::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Partners::Table).drop_column(Partners::ShareRatings).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Cases::Table).drop_column(Cases::PactCompletedAt).to_owned())
            .await
    }
}
