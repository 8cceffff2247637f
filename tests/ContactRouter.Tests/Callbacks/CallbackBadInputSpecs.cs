using System.Net;
using static ContactRouter.Tests.Callbacks.CallbackCalls;

namespace ContactRouter.Tests.Callbacks;

/// <summary>One host for every bad booking of the class: none of them may book anything, so they cannot disturb each other.</summary>
public sealed class CallbackHost : IAsyncLifetime
{
    public RouterFactory Router { get; } = new(RouterFactory.NewStorePath(), RouterFactory.NewClock());
    public HttpClient Http { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Http = Router.StaffClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Router.DisposeAsync();
}

/// <summary>A bad booking gets a 400 problem naming the field, and nothing is booked.</summary>
public sealed class When_the_reception_books_a_callback_with_bad_input(CallbackHost host) : IClassFixture<CallbackHost>
{
    // The clock stands at Monday 2026-11-23 09:00Z.
    [Theory]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "notBefore": "2026-11-23T06:00:00Z" }""", "notBefore")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "notBefore": "2026-11-23T10:00:00Z", "notAfter": "2026-11-23T09:30:00Z" }""", "notAfter")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "notBefore": "2026-11-23T10:00:00Z", "notAfter": "2026-11-23T10:00:00Z" }""", "notAfter")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "notAfter": "2027-03-01T10:00:00Z" }""", "notAfter")]
    [InlineData("""{ "centre": "atlantis", "caller": "+31612345678", "question": "q" }""", "centre")]
    [InlineData("""{ "caller": "+31612345678", "question": "q" }""", "centre")]
    [InlineData("""{ "centre": "sociaal", "caller": "bel me maar", "question": "q" }""", "caller")]
    [InlineData("""{ "centre": "sociaal", "caller": "+3161234", "question": "q" }""", "caller")]
    [InlineData("""{ "centre": "sociaal", "question": "q" }""", "caller")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678" }""", "question")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "   " }""", "question")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "notBefore": "tomorrow" }""", "notBefore")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": """, "question")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "from": "14:00", "notBefore": "2026-11-23T10:00:00Z" }""", "from")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "until": "25:00" }""", "until")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "from": "2 uur" }""", "from")]
    [InlineData("""{ "centre": "sociaal", "caller": "+31612345678", "question": "q", "from": "15:00", "until": "14:00" }""", "notAfter")]
    [InlineData("""not json""", "body")]
    [InlineData("""null""", "body")]
    public async Task Should_answer_400_naming_the_field_and_book_nothing(string json, string field)
    {
        var response = await host.Http.PostAsync("/api/callbacks", Api.RawJson(json));
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, field);
        await using var db = host.Router.NewDbContext();
        db.Callbacks.Count().Should().Be(0);
    }

    [Fact]
    public async Task Should_answer_415_naming_the_body_when_it_is_not_JSON()
    {
        var response = await host.Http.PostAsync("/api/callbacks", new StringContent("centre=sociaal"));
        await response.ShouldBeProblem(HttpStatusCode.UnsupportedMediaType, "body");
    }

    [Fact]
    public async Task Should_refuse_a_question_longer_than_1000_characters()
    {
        var response = await host.Http.Book("sociaal", question: new string('?', 1001));
        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "question");
    }

    [Fact]
    public async Task Should_answer_404_for_an_unknown_callback()
    {
        await (await host.Http.GetAsync("/api/callbacks/nope")).ShouldBeProblem(HttpStatusCode.NotFound, "callbackId");
        await (await host.Http.DeleteAsync("/api/callbacks/nope")).ShouldBeProblem(HttpStatusCode.NotFound, "callbackId");
    }
}
