using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContactRouter.Store.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AgentStatusSince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StatusSince",
                table: "Agents",
                type: "timestamp with time zone",
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
