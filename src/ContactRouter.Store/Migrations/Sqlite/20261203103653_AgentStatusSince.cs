using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContactRouter.Store.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentStatusSince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "StatusSince",
                table: "Agents",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StatusSince",
                table: "Agents");
        }
    }
}
