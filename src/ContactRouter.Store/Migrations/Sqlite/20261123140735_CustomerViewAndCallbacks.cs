using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContactRouter.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CustomerViewAndCallbacks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Callbacks",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    HomeCentre = table.Column<string>(type: "TEXT", nullable: false),
                    Centre = table.Column<string>(type: "TEXT", nullable: false),
                    Caller = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: true),
                    Question = table.Column<string>(type: "TEXT", nullable: false),
                    NotBefore = table.Column<long>(type: "INTEGER", nullable: false),
                    NotAfter = table.Column<long>(type: "INTEGER", nullable: false),
                    SlotStart = table.Column<long>(type: "INTEGER", nullable: false),
                    BookedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PlacedReason = table.Column<string>(type: "TEXT", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CurrentContactId = table.Column<string>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", nullable: true),
                    AtRiskSince = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Callbacks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ContactMoments",
                columns: table => new
                {
                    ContactId = table.Column<string>(type: "TEXT", nullable: false),
                    PhoneNumber = table.Column<string>(type: "TEXT", nullable: false),
                    HomeCentre = table.Column<string>(type: "TEXT", nullable: false),
                    Centre = table.Column<string>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", nullable: false),
                    Subject = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AgentId = table.Column<string>(type: "TEXT", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", nullable: true),
                    Summary = table.Column<string>(type: "TEXT", nullable: true),
                    Overflowed = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContactMoments", x => x.ContactId);
                });

            migrationBuilder.CreateTable(
                name: "CustomerViewAccessLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PhoneNumber = table.Column<string>(type: "TEXT", nullable: false),
                    Who = table.Column<string>(type: "TEXT", nullable: false),
                    Why = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerViewAccessLog", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Parties",
                columns: table => new
                {
                    PhoneNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: true),
                    Email = table.Column<string>(type: "TEXT", nullable: true),
                    Bsn = table.Column<string>(type: "TEXT", maxLength: 9, nullable: true),
                    FirstSeenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Parties", x => x.PhoneNumber);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Callbacks_Caller",
                table: "Callbacks",
                column: "Caller");

            migrationBuilder.CreateIndex(
                name: "IX_Callbacks_Centre_SlotStart",
                table: "Callbacks",
                columns: new[] { "Centre", "SlotStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Callbacks_CurrentContactId",
                table: "Callbacks",
                column: "CurrentContactId");

            migrationBuilder.CreateIndex(
                name: "IX_Callbacks_IdempotencyKey",
                table: "Callbacks",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Callbacks_Status_NextAttemptAt",
                table: "Callbacks",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ContactMoments_PhoneNumber_At",
                table: "ContactMoments",
                columns: new[] { "PhoneNumber", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerViewAccessLog_PhoneNumber",
                table: "CustomerViewAccessLog",
                column: "PhoneNumber");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Callbacks");

            migrationBuilder.DropTable(
                name: "ContactMoments");

            migrationBuilder.DropTable(
                name: "CustomerViewAccessLog");

            migrationBuilder.DropTable(
                name: "Parties");
        }
    }
}
