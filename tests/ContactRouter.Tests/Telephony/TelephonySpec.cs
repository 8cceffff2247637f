using System.Globalization;
using ContactRouter.Telephony;
using Microsoft.Extensions.DependencyInjection;

namespace ContactRouter.Tests.Telephony;

/// <summary>
/// A spec against the real SIP front: a fresh host with the telephony component on, linked to the project's Kamailio
/// (deploy/kamailio.sh start; the README's test command starts it). Every spec has numbers and agent ids of its own and
/// leaves other components' calls alone (RefuseUnknown off), so specs run in any order and side by side on one Kamailio.
/// </summary>
public abstract class TelephonySpec : IAsyncLifetime
{
    private static int _numbers = Random.Shared.Next(0, 100_000);

    /// <summary>The centre's number callers dial in this spec (unique on this Kamailio while the spec runs).</summary>
    protected readonly string Number = "1499" + (Interlocked.Increment(ref _numbers) % 100_000).ToString("D5", CultureInfo.InvariantCulture);
    /// <summary>Appended to agent ids: the SIP accounts (registrations) of this spec are its own.</summary>
    protected readonly string Suffix = Guid.NewGuid().ToString("N")[..8];
    protected RouterFactory Router = null!;
    protected HttpClient Http = null!;
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>The centre <see cref="Number"/> belongs to.</summary>
    protected virtual string Centre => "sociaal";

    /// <summary>More settings for the host (a spec's own routing rules).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Router:Telephony"] = "true",
            [$"Telephony:Numbers:{Number}"] = Centre,
            ["Telephony:RefuseUnknown"] = "false",
            ["Telephony:Evapi"] = $"127.0.0.1:{Sipp.Port + 1}",
        };
        foreach (var (key, value) in Settings) settings[key] = value;
        Router = new RouterFactory(RouterFactory.NewStorePath(), RouterFactory.NewClock(), settings);
        Http = Router.StaffClient();
        var front = Router.Services.GetRequiredService<SipFront>();
        await Api.Eventually(() => Task.FromResult(front.Connected), up => up,
            $"the telephony component's link to Kamailio's evapi on 127.0.0.1:{Sipp.Port + 1} (deploy/kamailio.sh start)");
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned)) await owned.DisposeAsync();
        await Router.DisposeAsync();
    }

    protected string AgentId(string name) => $"{name}-{Suffix}";

    /// <summary>Registers an agent (skill 5 at <see cref="Centre"/>) and their phone; the agent is available.</summary>
    protected async Task<Phone> AgentWithPhone(string name, string behaviour, int calls = 1, int ringMs = 300, bool available = true)
    {
        var id = AgentId(name);
        (await Http.PutAgent(id, Centre, new Dictionary<string, int> { [Centre] = 5 })).EnsureSuccessStatusCode();
        var phone = Own(await Phone.Register(id, behaviour, calls, ringMs));
        if (available) (await Http.SetStatus(id, "available")).EnsureSuccessStatusCode();
        return phone;
    }

    /// <summary>A caller dialling <see cref="Number"/>: its Call-ID is <paramref name="callId"/> (so the contact id is known).</summary>
    protected Sipp Dial(string scenario, string callId, int holdMs = 500, string caller = "+31612345678", string topic = "") =>
        Own(Sipp.Start(scenario, "-s", Number, "-m", "1", "-d", holdMs.ToString(CultureInfo.InvariantCulture), "-cid_str", callId,
            "-key", "caller", caller, "-key", "topic", topic, "-trace_rtt", "-rtt_freq", "1"));

    /// <summary>A fresh Call-ID for a caller of this spec.</summary>
    protected string NewCallId() => $"spec-{Suffix}-{Guid.NewGuid():N}";

    protected static string ContactOf(string callId) => Call.ContactIdFor(callId);

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
