using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContactRouter.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AcceptedCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The column SendToCentre stays in SQLite files, unused: dropping a column means a table rebuild there, which
            // cannot run in the migration's transaction (EF warns at every first start). Sends now go through AcceptedCommands.

            migrationBuilder.AddColumn<long>(
                name: "PublishedAt",
                table: "Outbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AcceptedCommands",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CommandId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Centre = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ContactId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MessageType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Requester = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AcceptedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeliverAfter = table.Column<long>(type: "INTEGER", nullable: true),
                    HandedOverAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AcceptedCommands", x => x.Sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_PublishedAt",
                table: "Outbox",
                column: "PublishedAt");

            migrationBuilder.CreateIndex(
                name: "IX_AcceptedCommands_AnsweredAt_Sequence",
                table: "AcceptedCommands",
                columns: new[] { "AnsweredAt", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_AcceptedCommands_CommandId",
                table: "AcceptedCommands",
                column: "CommandId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AcceptedCommands_ContactId",
                table: "AcceptedCommands",
                column: "ContactId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AcceptedCommands");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_PublishedAt",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "PublishedAt",
                table: "Outbox");
        }
    }
}
