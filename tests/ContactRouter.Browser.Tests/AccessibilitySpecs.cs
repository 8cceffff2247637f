using ContactRouter.Tests;
using Deque.AxeCore.Playwright;
using Xunit.Abstractions;

namespace ContactRouter.Browser.Tests;

/// <summary>
/// axe-core on every console page, each as the person who uses it and with its live content loaded: no violation of any
/// impact (minor included). The counts per page and impact are printed as figures for the closing note.
/// </summary>
public sealed class When_axe_checks_every_console_page(ConsoleHost host, ITestOutputHelper output) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Should_find_no_violation_of_any_impact()
    {
        await host.PutAgent("axel", "Axel Jansen", "burgerzaken", new { burgerzaken = 5 });
        var pages = new (string Name, string Path, Person? Person, string Ready)[]
        {
            ("sign-in", "/login", null, "form:visible"),
            ("landing", "/", Person.Admin, "main a:visible"),
            ("agent", "/agent", Person.Agent("axel"), "#connection:text('Live')"),
            ("team lead", "/teamlead", Person.TeamLead("burgerzaken"), "#people-agents tbody tr"),
            ("reception", "/reception", Person.Reception, "form:visible"),
            ("beheer", "/admin", Person.Admin, "main table tbody tr"),
        };
        var found = new List<string>();
        var counts = new List<string>();
        foreach (var (name, path, person, ready) in pages)
        {
            await using var console = await host.Open(path, $"axe-{name.Replace(' ', '-')}", person);
            await Expect(console.Page.Locator(ready).First).ToBeVisibleAsync();
            var result = await console.Page.RunAxe();
            var byImpact = string.Join(" ", new[] { "critical", "serious", "moderate", "minor" }
                .Select(impact => $"{impact} {result.Violations.Count(v => v.Impact == impact)}"));
            counts.Add($"{name}: {result.Violations.Length} violations ({byImpact}; {result.Passes.Length} rules passed)");
            found.AddRange(result.Violations.Select(v => $"{name}: {v.Id} ({v.Impact}) — {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}"));
        }
        Figures.Print(output, "axe-core violations per page", string.Join("; ", counts));
        found.Should().BeEmpty();
    }
}
