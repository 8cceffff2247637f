using System.Diagnostics;

namespace ContactRouter.Tests.Transport;

/// <summary>
/// How the tests log in to the project's own RabbitMQ node and PostgreSQL cluster: with the passwords
/// deploy/rabbitmq.sh and deploy/postgres.sh set, from the environment variables they read
/// (CONTACTROUTER_RABBITMQ_PASSWORD, CONTACTROUTER_POSTGRES_PASSWORD) or else from the files they write in the
/// repository's .secrets/ (gitignored). Also runs those scripts (installing a test's TLS certificate).
/// </summary>
public static class DevelopmentSecrets
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string? RabbitMqPassword => NonEmpty(Environment.GetEnvironmentVariable("CONTACTROUTER_RABBITMQ_PASSWORD"));
    public static string RabbitMqPasswordFile => Path.Combine(RepositoryRoot, ".secrets", "rabbitmq-password");

    public static string? PostgresPassword => NonEmpty(Environment.GetEnvironmentVariable("CONTACTROUTER_POSTGRES_PASSWORD"));
    /// <summary>The password file (pgpass format) deploy/postgres.sh writes; Npgsql reads it (connection string <c>Passfile=</c>).</summary>
    public static string PostgresPassfile => Path.Combine(RepositoryRoot, ".secrets", "pgpass");

    /// <summary>Runs <c>deploy/&lt;script&gt; args…</c>: its standard output, or an error with all it said.</summary>
    public static async Task<string> RunScript(string script, params string[] args)
    {
        var path = Path.Combine(RepositoryRoot, "deploy", script);
        using var process = Process.Start(new ProcessStartInfo("bash", [path, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/{script} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        return await stdout;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "rabbitmq.conf"))) return dir.FullName;
        throw new InvalidOperationException("No rabbitmq.conf above " + AppContext.BaseDirectory);
    }
}
