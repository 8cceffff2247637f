using ContactRouter.Store;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ContactRouter.Web;

/// <summary>
/// Where the one-time password goes: the process's own console, never a logger (a log file or collector would keep
/// it). Tests give their own writer.
/// </summary>
public sealed class FirstStartConsole
{
    public TextWriter Out { get; init; } = Console.Out;
}

/// <summary>
/// On a store without accounts: creates the first administrator, so the README's run command is all a newcomer
/// needs. With <c>Security:Admin:Password</c> set (an automated install) that is the password; otherwise a one-time
/// password is printed once to the console, and the first sign-in must replace it.
/// </summary>
public sealed class FirstAdministrator(
    IServiceScopeFactory scopes, IOptions<SecurityOptions> options, FirstStartConsole console, IServer server,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<FirstAdministrator> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RouterDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffAccount>>();
        if (await users.Users.AnyAsync(ct)) return;

        var admin = options.Value.Admin;
        var given = !string.IsNullOrEmpty(admin.Password);
        var password = given ? admin.Password! : AccountsApi.OneTimePassword();
        var account = new StaffAccount { UserName = admin.UserName, DisplayName = "Beheerder", MustChangePassword = !given };
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded)
        {
            // Another process on the same store may have created it a moment ago; that one tells its console.
            if (await users.FindByNameAsync(admin.UserName) is not null) return;
            throw new InvalidOperationException("Could not create the first administrator: " +
                                                string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        await Accounts.EnsureRoles(scope.ServiceProvider);
        await users.AddToRoleAsync(account, StaffRoles.Admin);
        db.AccessLog.Add(AccessLog.Entry(time.GetUtcNow(), "system", "system", AccessActions.AccountCreated, why: $"{admin.UserName}: admin"));
        await db.SaveChangesAsync(ct);
        log.LogInformation("Created the first administrator account {UserName}", admin.UserName);
        if (given) return;
        // Once the server listens, so the address printed is the one to open.
        lifetime.ApplicationStarted.Register(() => Tell(admin.UserName, password));
    }

    private void Tell(string userName, string password)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        console.Out.WriteLine($"""

            ================================================================================
             ContactRouter: first start. Sign in at {address.TrimEnd('/')}/login
               user name:          {userName}
               one-time password:  {password}
             You choose your own password at this first sign-in. This is shown only once.
            ================================================================================

            """);
        console.Out.Flush();
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
