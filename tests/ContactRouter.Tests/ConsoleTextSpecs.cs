using System.Reflection;
using ContactRouter.Routing;

namespace ContactRouter.Tests;

/// <summary>Every reason a centre can refuse a command has Dutch words in the consoles: no English sentence reaches a user.</summary>
public sealed class When_a_console_says_why_a_command_was_refused
{
    [Fact]
    public void Should_have_a_Dutch_text_for_every_refusal_code()
    {
        var codes = typeof(RefusalCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        codes.Should().NotBeEmpty();

        var texts = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ContactRouter.Host", "wwwroot", "js", "text", "nl.js"));
        codes.Where(code => !texts.Contains($"'problem.code.{code}':", StringComparison.Ordinal))
            .Should().BeEmpty("each refusal code needs its Dutch sentence in text/nl.js");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContactRouter.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No ContactRouter.sln above {AppContext.BaseDirectory}.");
    }
}
