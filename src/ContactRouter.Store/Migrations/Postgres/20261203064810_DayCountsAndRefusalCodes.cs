using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContactRouter.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DayCountsAndRefusalCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Offered",
                table: "Statistics",
                newName: "Arrived");

            migrationBuilder.AddColumn<int>(
                name: "AbandonedAfterGrace",
                table: "Statistics",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // Days counted before the grace existed: every abandon counts against the service level (the cautious reading).
            migrationBuilder.Sql("UPDATE \"Statistics\" SET \"AbandonedAfterGrace\" = \"Abandoned\"");

            migrationBuilder.AddColumn<string>(
                name: "Code",
                table: "ProcessedCommands",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AbandonedAfterGrace",
                table: "Statistics");

            migrationBuilder.DropColumn(
                name: "Code",
                table: "ProcessedCommands");

            migrationBuilder.RenameColumn(
                name: "Arrived",
                table: "Statistics",
                newName: "Offered");
        }
    }
}
