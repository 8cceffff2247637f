using Microsoft.Extensions.Time.Testing;

namespace ContactRouter.Routing.Tests;

/// <summary>
/// Base for the routing specifications: one Sociaal Domein centre on a virtual clock that starts on a
/// Monday morning. Time moves only through <see cref="After"/> (or <see cref="FakeTimeProvider.Advance"/>),
/// never by sleeping, so every deadline is hit exactly.
/// </summary>
public abstract class CentreSpec
{
    protected const string Home = CentreCatalog.Sociaal;
    protected static readonly DateTimeOffset Monday9 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    protected CentreSpec(DateTimeOffset? start = null)
    {
        Time = new FakeTimeProvider(start ?? Monday9);
        Centre = new Centre(Home, new RoutingOptions(), Time);
    }

    protected FakeTimeProvider Time { get; }
    protected Centre Centre { get; private set; }
    protected DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Starts over with a new, empty centre that routes by these options (same clock).</summary>
    protected void Use(RoutingOptions options) => Centre = new Centre(Home, options, Time);

    protected static Dictionary<string, int> Skills(int homeLevel, params (string Centre, int Level)[] others)
    {
        var skills = new Dictionary<string, int> { [Home] = homeLevel };
        foreach (var (centre, level) in others) skills[centre] = level;
        return skills;
    }

    /// <summary>Registers an agent and logs them in as available.</summary>
    protected Agent Available(string agentId, int skill = 5, params (string Centre, int Level)[] others)
    {
        Centre.RegisterAgent(agentId, agentId, Skills(skill, others)).Should().BeNull();
        SetPresence(agentId, AgentPresence.Available);
        return Centre.FindAgent(agentId)!;
    }

    protected static Contact NewContact(string id, DateTimeOffset queuedAt, int priority = 0, string homeCentre = Home, int hops = 0) => new()
    {
        Id = id, HomeCentre = homeCentre, Centre = Home, Channel = "phone", Caller = "+31612345678",
        Priority = priority, QueuedAt = queuedAt, Hops = hops,
    };

    /// <summary>A caller arriving now.</summary>
    protected Contact Queue(string id, int priority = 0, string homeCentre = Home, int hops = 0)
    {
        var contact = NewContact(id, Now, priority, homeCentre, hops);
        Centre.Queue(contact).Should().BeNull();
        return contact;
    }

    /// <summary>Lets time pass, then lets the centre apply it (as the worker's deadline alarm does).</summary>
    protected void After(TimeSpan elapsed)
    {
        Time.Advance(elapsed);
        Centre.Tick();
    }

    protected void After(int seconds) => After(TimeSpan.FromSeconds(seconds));

    protected void SetPresence(string agentId, AgentPresence presence) => Centre.SetPresence(agentId, presence).Should().BeNull();
    protected void Accept(string agentId, string contactId) => Centre.Accept(agentId, contactId).Should().BeNull();
    protected void Reject(string agentId, string contactId) => Centre.Reject(agentId, contactId).Should().BeNull();
    protected void Complete(string contactId, string outcome = "resolved") => Centre.Complete(contactId, outcome, "uitgelegd").Should().BeNull();
    protected void Abandon(string contactId) => Centre.Abandon(contactId).Should().BeNull();

    protected Agent AgentOf(string agentId) => Centre.FindAgent(agentId) ?? throw new InvalidOperationException($"No agent {agentId}.");
    protected AgentStatus StatusOf(string agentId) => AgentOf(agentId).StatusAt(Now);
    protected string? OfferOf(string agentId) => AgentOf(agentId).OfferedContactId;
    protected Contact ContactOf(string contactId) => Centre.FindContact(contactId) ?? throw new InvalidOperationException($"No live contact {contactId}.");
    protected IEnumerable<string> Waiting() => Centre.WaitingInOrder().Select(c => c.Id);

    protected IReadOnlyList<RoutingEvent> Events() => Centre.TakeChanges().Events;

    /// <summary>Everything a command could change, written out so two moments can be compared.</summary>
    protected string Snapshot()
    {
        var agents = Centre.Agents.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a =>
            $"agent {a.Id} {a.StatusAt(Now)} offer={a.OfferedContactId} until={a.OfferExpiresAt:O} connected={a.ConnectedContactId} " +
            $"wrapup={a.WrapUpUntil:O} idle={a.IdleSince:O} notresponding={a.NotResponding} break={a.OnBreak} in={a.LoggedIn}");
        var contacts = Centre.LiveContacts.OrderBy(c => c.Sequence).Select(c =>
            $"contact {c.Id} {c.Status} agent={c.AgentId} answered={c.AnsweredAt:O} offers={c.OfferCount} declined={string.Join(',', c.DeclinedUntil.Keys)}");
        var t = Centre.Today;
        var today = $"day {t.Day} offered={t.Offered} answered={t.Answered} abandoned={t.Abandoned} within={t.AnsweredWithinTarget} seconds={t.TotalSecondsToAnswer}";
        return string.Join('\n', agents.Concat(contacts).Append(today).Append("waiting " + string.Join(',', Waiting())));
    }

    /// <summary>
    /// Runs a command that must be refused and checks that it left no trace: same state, no events,
    /// nothing to save. Pending changes are taken first, because <see cref="Centre.TakeChanges"/> drains.
    /// </summary>
    protected Refusal RefusedWithoutChange(Func<Centre, Refusal?> command, RefusalKind kind, string field)
    {
        Centre.TakeChanges();
        var before = Snapshot();

        var refusal = command(Centre);

        refusal.Should().NotBeNull();
        refusal!.Kind.Should().Be(kind);
        refusal.Field.Should().Be(field);
        Snapshot().Should().Be(before);
        Centre.TakeChanges().IsEmpty.Should().BeTrue("a refused command changes nothing");
        return refusal;
    }
}
