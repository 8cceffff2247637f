namespace ContactRouter.Tests.Drills;

/// <summary>What a drill counted. Lost, double offers and untrue answers must be 0; every accepted caller must be served.</summary>
public sealed record DrillFigures(
    int Accepted, int Refused, int Unanswered, int Completed, int Lost, int NotServed, string NotServedByStatus,
    int RingingTwice, int ConnectedTwice, int CompletedTwice, int CountedTwice, string Counted, int Untrue503, int Pending, int Unavailable)
{
    public int DoubleOffers => RingingTwice + ConnectedTwice + CompletedTwice + CountedTwice;

    /// <summary>Nothing accepted lost, nothing offered or counted twice, no 503 for a command that was applied, every caller served.</summary>
    public void ShouldHold(bool everyoneServed = true)
    {
        using var _ = new FluentAssertions.Execution.AssertionScope();
        Lost.Should().Be(0, "a caller who got a 2xx is never lost");
        DoubleOffers.Should().Be(0, "a contact rings at one agent at a time and is connected, completed and counted once");
        Untrue503.Should().Be(0, "a 503 says nothing changed, so nothing answered 503 may have been applied");
        if (everyoneServed) NotServed.Should().Be(0, "every accepted caller is served once the drill settles");
        Accepted.Should().BeGreaterThan(0, "a drill without accepted callers proves nothing");
    }

    public string Line() =>
        $"accepted {Accepted}, completed {Completed}, lost {Lost}, double offers {DoubleOffers} " +
        $"(ringing twice {RingingTwice}, connected twice {ConnectedTwice}, completed twice {CompletedTwice}, counted twice {CountedTwice}{(CountedTwice > 0 ? $": {Counted}" : "")}), " +
        $"still waiting {NotServed}{(NotServed > 0 ? $" ({NotServedByStatus})" : "")}, callers refused {Refused}, unanswered {Unanswered}, agent 503s {Unavailable} (untrue {Untrue503}), pending 202s {Pending}";
}
