using ContactRouter.Routing.Callbacks;

namespace ContactRouter.Routing.Tests.Callbacks;

/// <summary>Bad input is refused with the offending field named, so the API can answer problem+json.</summary>
public sealed class When_a_callback_request_is_checked : CallbackSpec
{
    private static readonly DateTimeOffset Now = Nov(23, 9);

    private Refusal Refused(CallbackRequest request, string field)
    {
        var refusal = Calendar.Check(request, Now);
        refusal.Should().NotBeNull();
        refusal!.Kind.Should().Be(RefusalKind.Invalid);
        refusal.Field.Should().Be(field);
        return refusal;
    }

    [Fact]
    public void A_sound_request_passes()
    {
        Calendar.Check(new CallbackRequest(Sociaal, Now, Nov(25, 9)), Now).Should().BeNull();
    }

    [Theory]
    [InlineData("gemeente")]
    [InlineData("Sociaal")]
    [InlineData("")]
    public void An_unknown_centre_is_refused_naming_centre(string centre)
    {
        Refused(new CallbackRequest(centre, Now, Nov(25, 9)), "centre").Detail.Should().Contain("is not a centre");
    }

    [Fact]
    public void A_notBefore_in_the_past_is_refused_naming_notBefore()
    {
        Refused(new CallbackRequest(Sociaal, Now.AddTicks(-1), Nov(25, 9)), "notBefore");
    }

    [Fact]
    public void A_notBefore_of_exactly_now_is_fine()
    {
        Calendar.Check(new CallbackRequest(Sociaal, Now, Now.AddHours(1)), Now).Should().BeNull();
    }

    [Fact]
    public void A_notAfter_equal_to_notBefore_is_refused_naming_notAfter()
    {
        Refused(new CallbackRequest(Sociaal, Nov(23, 10), Nov(23, 10)), "notAfter");
    }

    [Fact]
    public void A_notAfter_before_notBefore_is_refused_naming_notAfter()
    {
        Refused(new CallbackRequest(Sociaal, Nov(23, 10), Nov(23, 9, 30)), "notAfter");
    }

    [Fact]
    public void A_window_longer_than_thirty_days_is_refused_naming_notAfter()
    {
        Calendar.Check(new CallbackRequest(Sociaal, Now, Now.AddDays(30)), Now).Should().BeNull();
        Refused(new CallbackRequest(Sociaal, Now, Now.AddDays(30).AddTicks(1)), "notAfter").Detail.Should().Contain("30 days");
    }

    [Fact]
    public void The_longest_window_is_configurable()
    {
        Use(new CallbackOptions { MaxWindow = TimeSpan.FromDays(5) });

        Refused(new CallbackRequest(Sociaal, Now, Now.AddDays(6)), "notAfter");
    }

    [Fact]
    public void Placing_a_request_for_an_unknown_centre_is_refused_without_reading_the_load()
    {
        var decision = Place("gemeente", Now, Nov(25, 9));

        decision.Should().BeOfType<BookingDecision.Refused>().Which.Refusal.Field.Should().Be("centre");
        Load.Lookups.Should().Be(0);
    }

    [Fact]
    public void Placing_a_window_that_ends_before_it_starts_is_refused()
    {
        Place(Sociaal, Nov(23, 10), Nov(23, 9)).Should().BeOfType<BookingDecision.Refused>()
            .Which.Refusal.Field.Should().Be("notAfter");
    }
}
