using ContactRouter.Store;
using ContactRouter.Tests.Store;

namespace ContactRouter.Tests.Callbacks;

/// <summary>
/// Booking and the scheduler with <c>Store:Provider=Postgres</c>, on a database of the class's own (the serializable
/// booking transaction and the DateTimeOffset queries are the provider-specific parts).
/// </summary>
public sealed class When_callbacks_are_booked_and_made_with_the_store_on_PostgreSQL(StoreDatabases stores) : PostgresRouterSpec(stores)
{
    // One fact: the class's database is shared by its facts, and the scheduler would see another fact's appointments.
    [Fact]
    public async Task Should_fill_slots_book_once_per_key_and_make_the_call_in_its_slot()
    {
        await CallbackScenarios.Slots_fill_up_and_a_retried_request_books_once(_router, _http);
        await CallbackScenarios.A_booked_callback_is_made_in_its_slot_and_reached(_router, _http);

        await using var db = _router.NewDbContext();
        db.Database.ProviderName.Should().Be("Npgsql.EntityFrameworkCore.PostgreSQL");
    }
}
