using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ContactRouter.Tests.Transport;

/// <summary>
/// A certificate authority and a server certificate it signed (for 127.0.0.1 and localhost), made by the test itself,
/// written as PEM files into a fresh temporary directory: <c>ca.pem</c>, <c>cert.pem</c>, <c>key.pem</c> (what
/// <c>deploy/rabbitmq.sh tls</c> and <c>deploy/postgres.sh tls</c> install), plus <c>other-ca.pem</c>, a CA that signed
/// nothing the server has, for the cases that must be refused. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("contactrouter-tls-").FullName;
    public string CaFile => Path.Combine(Directory, "ca.pem");
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    public TestCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = Authority("ContactRouter test CA", caKey, now);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = Authority("ContactRouter test CA (not the server's)", otherKey, now);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddHours(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(CaFile, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(OtherCaFile, other.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(Directory, "cert.pem"), server.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(Directory, "key.pem"), serverKey.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static X509Certificate2 Authority(string name, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
