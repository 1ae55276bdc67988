// Seed data: option lists, the services catalogue and the public flavor catalogue. The tables are
// plain data so that reviewing a change is reading a line; the builders only shape them as JSON.
#include "inventory/catalogues.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/registry.h"

namespace maestro::inventory {
namespace {

using nlohmann::json;

// Splits "a b c" (or "a;b" with `separator` ';') into its non-empty parts.
json Split(std::string_view text, char separator) {
  json parts = json::array();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.push_back(std::string(text.substr(start, end - start)));
    start = end + 1;
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Datacenter providers.

struct RegionRow {
  const char* name;
  const char* label;
  const char* zones;  // zone suffixes, space-separated: "a b c" (AWS, GCP) or "1 2 3" (Azure)
};

// Builds one provider. AWS and GCP zones are the region name followed by the letter
// ("eu-west-1a", "europe-west1-b"); Azure zones are numbered per region and written as the
// "<region>-<n>" labels Azure uses for nodes ("westeurope-1").
json Provider(std::string name, const std::vector<RegionRow>& rows, std::string_view joiner) {
  json regions = json::array();
  for (const auto& row : rows) {
    json zones = json::array();
    for (const auto& suffix : Split(row.zones, ' '))
      zones.push_back(std::string(row.name) + std::string(joiner) + suffix.get<std::string>());
    regions.push_back({{"name", row.name}, {"label", row.label}, {"zones", std::move(zones)}});
  }
  return {{"name", std::move(name)}, {"regions", std::move(regions)}};
}

// Public AWS commercial regions. Zone letters are those the region offers; which physical zone a
// letter names differs per account.
const std::vector<RegionRow> kAwsRegions = {
    {"us-east-1", "US East (N. Virginia)", "a b c d e f"},
    {"us-east-2", "US East (Ohio)", "a b c"},
    {"us-west-1", "US West (N. California)", "a b c"},
    {"us-west-2", "US West (Oregon)", "a b c d"},
    {"af-south-1", "Africa (Cape Town)", "a b c"},
    {"ap-east-1", "Asia Pacific (Hong Kong)", "a b c"},
    {"ap-east-2", "Asia Pacific (Taipei)", "a b c"},
    {"ap-south-1", "Asia Pacific (Mumbai)", "a b c"},
    {"ap-south-2", "Asia Pacific (Hyderabad)", "a b c"},
    {"ap-southeast-1", "Asia Pacific (Singapore)", "a b c"},
    {"ap-southeast-2", "Asia Pacific (Sydney)", "a b c"},
    {"ap-southeast-3", "Asia Pacific (Jakarta)", "a b c"},
    {"ap-southeast-4", "Asia Pacific (Melbourne)", "a b c"},
    {"ap-southeast-5", "Asia Pacific (Malaysia)", "a b c"},
    {"ap-southeast-7", "Asia Pacific (Thailand)", "a b c"},
    {"ap-northeast-1", "Asia Pacific (Tokyo)", "a c d"},
    {"ap-northeast-2", "Asia Pacific (Seoul)", "a b c d"},
    {"ap-northeast-3", "Asia Pacific (Osaka)", "a b c"},
    {"ca-central-1", "Canada (Central)", "a b d"},
    {"ca-west-1", "Canada West (Calgary)", "a b c"},
    {"eu-central-1", "Europe (Frankfurt)", "a b c"},
    {"eu-central-2", "Europe (Zurich)", "a b c"},
    {"eu-west-1", "Europe (Ireland)", "a b c"},
    {"eu-west-2", "Europe (London)", "a b c"},
    {"eu-west-3", "Europe (Paris)", "a b c"},
    {"eu-south-1", "Europe (Milan)", "a b c"},
    {"eu-south-2", "Europe (Spain)", "a b c"},
    {"eu-north-1", "Europe (Stockholm)", "a b c"},
    {"il-central-1", "Israel (Tel Aviv)", "a b c"},
    {"me-south-1", "Middle East (Bahrain)", "a b c"},
    {"me-central-1", "Middle East (UAE)", "a b c"},
    {"mx-central-1", "Mexico (Central)", "a b c"},
    {"sa-east-1", "South America (Sao Paulo)", "a b c"},
};

// Main Azure regions; zones only where the region offers availability zones.
const std::vector<RegionRow> kAzureRegions = {
    {"eastus", "East US", "1 2 3"},
    {"eastus2", "East US 2", "1 2 3"},
    {"centralus", "Central US", "1 2 3"},
    {"southcentralus", "South Central US", "1 2 3"},
    {"northcentralus", "North Central US", ""},
    {"westus", "West US", ""},
    {"westus2", "West US 2", "1 2 3"},
    {"westus3", "West US 3", "1 2 3"},
    {"westcentralus", "West Central US", ""},
    {"canadacentral", "Canada Central", "1 2 3"},
    {"canadaeast", "Canada East", ""},
    {"brazilsouth", "Brazil South", "1 2 3"},
    {"mexicocentral", "Mexico Central", "1 2 3"},
    {"northeurope", "North Europe (Ireland)", "1 2 3"},
    {"westeurope", "West Europe (Netherlands)", "1 2 3"},
    {"uksouth", "UK South", "1 2 3"},
    {"ukwest", "UK West", ""},
    {"francecentral", "France Central", "1 2 3"},
    {"germanywestcentral", "Germany West Central", "1 2 3"},
    {"switzerlandnorth", "Switzerland North", "1 2 3"},
    {"swedencentral", "Sweden Central", "1 2 3"},
    {"norwayeast", "Norway East", "1 2 3"},
    {"italynorth", "Italy North", "1 2 3"},
    {"polandcentral", "Poland Central", "1 2 3"},
    {"spaincentral", "Spain Central", "1 2 3"},
    {"eastasia", "East Asia (Hong Kong)", "1 2 3"},
    {"southeastasia", "Southeast Asia (Singapore)", "1 2 3"},
    {"japaneast", "Japan East", "1 2 3"},
    {"japanwest", "Japan West", ""},
    {"koreacentral", "Korea Central", "1 2 3"},
    {"centralindia", "Central India", "1 2 3"},
    {"southindia", "South India", ""},
    {"australiaeast", "Australia East", "1 2 3"},
    {"australiasoutheast", "Australia Southeast", ""},
    {"newzealandnorth", "New Zealand North", "1 2 3"},
    {"southafricanorth", "South Africa North", "1 2 3"},
    {"uaenorth", "UAE North", "1 2 3"},
    {"qatarcentral", "Qatar Central", "1 2 3"},
    {"israelcentral", "Israel Central", "1 2 3"},
};

const std::vector<RegionRow> kGcpRegions = {
    {"us-central1", "Iowa", "a b c f"},
    {"us-east1", "South Carolina", "b c d"},
    {"us-east4", "Northern Virginia", "a b c"},
    {"us-east5", "Columbus", "a b c"},
    {"us-south1", "Dallas", "a b c"},
    {"us-west1", "Oregon", "a b c"},
    {"us-west2", "Los Angeles", "a b c"},
    {"us-west3", "Salt Lake City", "a b c"},
    {"us-west4", "Las Vegas", "a b c"},
    {"northamerica-northeast1", "Montreal", "a b c"},
    {"northamerica-northeast2", "Toronto", "a b c"},
    {"southamerica-east1", "Sao Paulo", "a b c"},
    {"southamerica-west1", "Santiago", "a b c"},
    {"europe-west1", "Belgium", "b c d"},
    {"europe-west2", "London", "a b c"},
    {"europe-west3", "Frankfurt", "a b c"},
    {"europe-west4", "Netherlands", "a b c"},
    {"europe-west6", "Zurich", "a b c"},
    {"europe-west8", "Milan", "a b c"},
    {"europe-west9", "Paris", "a b c"},
    {"europe-north1", "Finland", "a b c"},
    {"europe-central2", "Warsaw", "a b c"},
    {"europe-southwest1", "Madrid", "a b c"},
    {"asia-east1", "Taiwan", "a b c"},
    {"asia-east2", "Hong Kong", "a b c"},
    {"asia-northeast1", "Tokyo", "a b c"},
    {"asia-northeast2", "Osaka", "a b c"},
    {"asia-northeast3", "Seoul", "a b c"},
    {"asia-south1", "Mumbai", "a b c"},
    {"asia-south2", "Delhi", "a b c"},
    {"asia-southeast1", "Singapore", "a b c"},
    {"asia-southeast2", "Jakarta", "a b c"},
    {"australia-southeast1", "Sydney", "a b c"},
    {"australia-southeast2", "Melbourne", "a b c"},
    {"me-west1", "Tel Aviv", "a b c"},
    {"me-central1", "Doha", "a b c"},
    {"africa-south1", "Johannesburg", "a b c"},
};

// DigitalOcean datacenters have no availability zones.
const std::vector<RegionRow> kDigitalOceanRegions = {
    {"nyc1", "New York 1", ""},      {"nyc2", "New York 2", ""},      {"nyc3", "New York 3", ""},
    {"sfo2", "San Francisco 2", ""}, {"sfo3", "San Francisco 3", ""}, {"tor1", "Toronto 1", ""},
    {"atl1", "Atlanta 1", ""},       {"ams3", "Amsterdam 3", ""},     {"lon1", "London 1", ""},
    {"fra1", "Frankfurt 1", ""},     {"sgp1", "Singapore 1", ""},     {"blr1", "Bangalore 1", ""},
    {"syd1", "Sydney 1", ""},
};

json DatacenterOptions() {
  json providers = json::array();
  providers.push_back(Provider("AWS", kAwsRegions, ""));
  providers.push_back(Provider("Azure", kAzureRegions, "-"));
  providers.push_back(Provider("GCP", kGcpRegions, "-"));
  providers.push_back(Provider("DigitalOcean", kDigitalOceanRegions, ""));
  const std::string per_deployment =
      "Regions and zones are defined by each deployment; enter them on the datacenter.";
  for (const char* name : {"OpenStack", "VMware", "Bare metal"}) {
    providers.push_back({{"name", name}, {"note", per_deployment}, {"regions", json::array()}});
  }
  return {{"providers", std::move(providers)}};
}

// ---------------------------------------------------------------------------------------------
// Option lists. Values follow the original's lists, with its spelling slips corrected
// ("Avaliable", "Continuos", "Bibucket", "Outher", "SystV", "Glitter") and statuses matching the
// enums of the registry.

std::vector<std::string> ApplicationFamilies() {
  const EntitySpec* applications = DefaultRegistry().Find("applications");
  const FieldSpec* family = applications ? applications->Field("family") : nullptr;
  return family ? family->values : std::vector<std::string>{};
}

json BuildOptions() {
  json options = json::object();
  options["env_options"] = {
      {"environments", {"Production", "Staging", "Development", "UAT", "Training", "Sandbox"}},
      {"sizes",
       {"nano", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge",
        "32xlarge"}},
  };
  options["server_options"] = {
      {"types", {"Virtual", "Physical", "Exalogic", "Exadata", "PSeries"}},
      {"status", {"Active", "Available", "Stopped"}},
      {"auth", {"PKI", "AD", "LDAP", "Password", "SAML"}},
      {"roles",
       {"Application", "Cache", "Container", "Database", "File", "Loadbalance", "Monitoring", "NAT",
        "Proxy", "SMTP", "VPN", "Standard"}},
      {"os", {"Linux", "Windows", "Solaris", "FreeBSD", "MacOS", "Other"}},
  };
  options["application_options"] = {
      {"families", ApplicationFamilies()},
      {"roles", {"Application", "Worker", "Jobs", "Testing", "Standard"}},
      {"deploy",
       {"Git (GitHub, Bitbucket, GitLab)", "Continuous Integration (CI)",
        "Continuous Deployment (CD)", "FTP", "SFTP", "Others"}},
      {"clusters",
       {"No", "Master/Slave", "Master/Master", "12 Factor", "ZooKeeper", "Leader election"}},
  };
  options["database_options"] = {
      {"types",
       {"Relational", "Document Store", "Key Value", "Graph", "MultiModel", "Object", "XML DB",
        "TimeSeries", "Scientific", "Other"}},
      {"engines",
       {"PostgreSQL", "MySQL", "MariaDB", "Oracle", "SQL Server", "Db2", "MongoDB", "Cassandra",
        "Redis", "Elasticsearch", "Neo4j", "InfluxDB", "ClickHouse", "CockroachDB", "Other"}},
      {"roles", {"Master", "Replica", "Arbiter", "Clusterized"}},
      {"clusters", {"Single Instance", "Master/Replica", "Sharding"}},
      {"status", {"Active", "Available", "Stopped"}},
      {"oracle",
       {{"asm_types", {"External", "Normal", "High", "Flex", "Extended"}},
        {"storage_types", {"ASM", "File System", "NFS", "Exadata Storage"}},
        {"roles", {"Primary", "Physical Standby", "Logical Standby", "Snapshot Standby"}},
        {"clusters", {"RAC", "RAC One Node", "Grid Infrastructure", "Single Instance"}},
        {"types", {"CDB", "Non-CDB"}},
        {"editions", {"Enterprise Edition", "Standard Edition 2", "Express Edition"}}}},
      {"mysql",
       {{"modes", {"Standalone", "Replication", "Group Replication", "InnoDB Cluster", "Galera"}},
        {"replication",
         {"None", "Asynchronous", "Semi-synchronous", "Group Replication", "Galera"}}}},
  };
  options["datacenter_options"] = DatacenterOptions();
  options["clients_options"] = {
      {"channels",
       {"Email", "Phone", "Slack", "MS Teams", "Rocket.Chat", "Mattermost", "Google Chat", "Skype",
        "Zoom", "Gitter", "HipChat", "Telegram"}},
  };
  options["services_options"] = {
      {"managers",
       {"systemd", "SysV", "Upstart", "OpenRC", "launchd", "Windows Service", "Supervisor",
        "runit"}},
  };
  options["system_options"] = {
      {"checks",
       {"Public URL", "Private URL", "Admin", "WebSocket", "TCP/IP", "Unix Sock", "HealthCheck"}},
  };
  options["deps_options"] = {
      {"protocols",
       {"rest", "http", "graphql", "grpc", "soap", "websocket", "tcp", "udp", "jdbc", "odbc",
        "smtp", "ldap", "ftp", "sftp", "nfs", "smb"}},
      {"broker_protocols", {"amqp", "mqtt", "kafka", "streams", "stomp", "nats", "tcp/ip"}},
      {"default", "rest"},
  };
  // DATA-MODEL.md, "Default sync periods per resource".
  options["schedule_options"] = {
      {"server-list", "5m"},         {"loadbalance-list", "6h"},
      {"volumes-list", "6h"},        {"security-list", "6h"},
      {"serverless-list", "12h"},    {"dbs-list", "1d"},
      {"storage-object-list", "1d"}, {"cache-list", "1d"},
      {"smtp-list", "1d"},           {"container-orchestration-list", "1d"},
      {"dynamodb-list", "3d"},       {"gateway-list", "3d"},
      {"cdns-list", "5d"},           {"brokers-list", "5d"},
      {"network-list", "7d"},        {"snapshot-list", "14d"},
      {"images-list", "14d"},        {"flavor-list", "14d"},
  };
  return options;
}

// ---------------------------------------------------------------------------------------------
// Services catalogue.

struct ServiceRow {
  const char* name;
  const char* families;  // ';'-separated
  const char* tags;      // space-separated
};

// clang-format off
const ServiceRow kServices[] = {
    // Relational and analytical databases.
    {"PostgreSQL", "Database", "sql relational open-source"},
    {"MySQL", "Database", "sql relational open-source"},
    {"MariaDB", "Database", "sql relational open-source"},
    {"Oracle Database", "Database", "sql relational commercial"},
    {"Oracle Grid Infrastructure", "Database;Storage", "oracle asm clusterware"},
    {"Microsoft SQL Server", "Database", "sql relational commercial windows"},
    {"IBM Db2", "Database", "sql relational commercial"},
    {"SAP HANA", "Database", "sql in-memory commercial"},
    {"SAP ASE", "Database", "sql relational commercial sybase"},
    {"IBM Informix", "Database", "sql relational commercial"},
    {"Firebird", "Database", "sql relational open-source"},
    {"SQLite", "Database", "sql embedded"},
    {"Percona Server for MySQL", "Database", "sql relational mysql"},
    {"Percona XtraDB Cluster", "Database", "sql mysql cluster galera"},
    {"Galera Cluster", "Database", "mysql cluster replication"},
    {"CockroachDB", "Database", "sql distributed"},
    {"TiDB", "Database", "sql distributed mysql-compatible"},
    {"YugabyteDB", "Database", "sql distributed postgresql-compatible"},
    {"Citus", "Database", "sql distributed postgresql"},
    {"Vitess", "Database", "mysql sharding"},
    {"Greenplum", "Database", "sql analytics mpp"},
    {"Vertica", "Database", "sql analytics columnar"},
    {"ClickHouse", "Database;Analytics", "sql columnar olap"},
    {"Apache Druid", "Database;Analytics", "olap realtime"},
    {"Apache Pinot", "Database;Analytics", "olap realtime"},
    {"Apache Doris", "Database;Analytics", "olap mpp"},
    {"StarRocks", "Database;Analytics", "olap mpp"},
    {"Apache Kudu", "Database", "columnar hadoop"},
    {"Apache Impala", "Database;Analytics", "sql hadoop"},
    // NoSQL databases.
    {"MongoDB", "Database", "nosql document"},
    {"Apache CouchDB", "Database", "nosql document"},
    {"Couchbase Server", "Database", "nosql document key-value"},
    {"RavenDB", "Database", "nosql document"},
    {"RethinkDB", "Database", "nosql document realtime"},
    {"Apache Cassandra", "Database", "nosql wide-column"},
    {"ScyllaDB", "Database", "nosql wide-column"},
    {"Apache HBase", "Database", "nosql wide-column hadoop"},
    {"Riak KV", "Database", "nosql key-value"},
    {"Aerospike", "Database", "nosql key-value"},
    {"FoundationDB", "Database", "nosql key-value transactional"},
    {"Neo4j", "Database", "graph"},
    {"ArangoDB", "Database", "graph document multi-model"},
    {"OrientDB", "Database", "graph multi-model"},
    {"JanusGraph", "Database", "graph"},
    {"Dgraph", "Database", "graph"},
    {"Memgraph", "Database", "graph in-memory"},
    {"InfluxDB", "Database;Monitoring", "time-series"},
    {"TimescaleDB", "Database", "time-series postgresql"},
    {"QuestDB", "Database", "time-series"},
    {"VictoriaMetrics", "Database;Monitoring", "time-series prometheus"},
    {"Milvus", "Database", "vector ai"},
    {"Qdrant", "Database", "vector ai"},
    {"Weaviate", "Database", "vector ai"},
    {"Oracle TimesTen", "Database", "in-memory oracle"},
    // Database tooling that runs as a service.
    {"PgBouncer", "Database;Proxy", "postgresql connection-pool"},
    {"Pgpool-II", "Database;Proxy", "postgresql connection-pool"},
    {"Patroni", "Database", "postgresql high-availability"},
    {"repmgr", "Database", "postgresql replication"},
    {"ProxySQL", "Database;Proxy", "mysql"},
    {"MariaDB MaxScale", "Database;Proxy", "mysql mariadb"},
    {"MySQL Router", "Database;Proxy", "mysql innodb-cluster"},
    {"Oracle Data Guard Broker", "Database", "oracle replication"},
    {"Debezium", "Database;Broker", "cdc kafka"},
    // Caches and data grids.
    {"Redis", "Cache;Database", "key-value in-memory"},
    {"Valkey", "Cache;Database", "key-value in-memory redis-compatible"},
    {"KeyDB", "Cache;Database", "key-value redis-compatible"},
    {"Dragonfly", "Cache;Database", "key-value redis-compatible"},
    {"Redis Sentinel", "Cache", "redis high-availability"},
    {"Memcached", "Cache", "key-value in-memory"},
    {"Varnish Cache", "Cache;Proxy", "http-cache"},
    {"Hazelcast", "Cache", "data-grid in-memory java"},
    {"Apache Ignite", "Cache;Database", "data-grid in-memory"},
    {"Infinispan", "Cache", "data-grid java"},
    {"Oracle Coherence", "Cache", "data-grid java"},
    // Brokers and streaming.
    {"RabbitMQ", "Broker", "amqp mqtt queue"},
    {"Apache Kafka", "Broker", "streaming log"},
    {"Kafka Connect", "Broker", "kafka integration"},
    {"Confluent Schema Registry", "Broker", "kafka schema"},
    {"Redpanda", "Broker", "streaming kafka-compatible"},
    {"Apache Pulsar", "Broker", "streaming queue"},
    {"Apache ActiveMQ", "Broker", "jms amqp"},
    {"ActiveMQ Artemis", "Broker", "jms amqp"},
    {"Apache RocketMQ", "Broker", "queue streaming"},
    {"Apache Qpid", "Broker", "amqp"},
    {"NATS Server", "Broker", "messaging"},
    {"NSQ", "Broker", "queue"},
    {"Eclipse Mosquitto", "Broker", "mqtt iot"},
    {"EMQX", "Broker", "mqtt iot"},
    {"VerneMQ", "Broker", "mqtt iot"},
    {"HiveMQ", "Broker", "mqtt iot"},
    {"IBM MQ", "Broker", "queue commercial"},
    {"TIBCO EMS", "Broker", "jms commercial"},
    {"Solace PubSub+", "Broker", "messaging commercial"},
    {"Beanstalkd", "Broker", "queue"},
    {"Apache ZooKeeper", "Service discovery;Coordination", "consensus kafka"},
    // Web and application servers.
    {"nginx", "Web server;Proxy", "http reverse-proxy"},
    {"NGINX Plus", "Web server;Proxy", "http reverse-proxy commercial"},
    {"OpenResty", "Web server;Proxy", "http nginx lua"},
    {"Tengine", "Web server;Proxy", "http nginx"},
    {"Apache HTTP Server", "Web server", "http httpd"},
    {"Microsoft IIS", "Web server", "http windows"},
    {"Caddy", "Web server;Proxy", "http tls"},
    {"lighttpd", "Web server", "http"},
    {"LiteSpeed Web Server", "Web server", "http commercial"},
    {"OpenLiteSpeed", "Web server", "http"},
    {"H2O", "Web server", "http http2"},
    {"Oracle HTTP Server", "Web server", "http oracle"},
    {"IBM HTTP Server", "Web server", "http ibm"},
    {"Apache Tomcat", "Application server", "java servlet"},
    {"Apache TomEE", "Application server", "java jakarta-ee"},
    {"Eclipse Jetty", "Application server", "java servlet"},
    {"WildFly", "Application server", "java jakarta-ee"},
    {"JBoss EAP", "Application server", "java jakarta-ee red-hat"},
    {"Oracle WebLogic Server", "Application server", "java jakarta-ee oracle"},
    {"IBM WebSphere Application Server", "Application server", "java jakarta-ee ibm"},
    {"Open Liberty", "Application server", "java jakarta-ee"},
    {"GlassFish", "Application server", "java jakarta-ee"},
    {"Payara Server", "Application server", "java jakarta-ee"},
    {"Gunicorn", "Application server", "python wsgi"},
    {"uWSGI", "Application server", "python wsgi"},
    {"Uvicorn", "Application server", "python asgi"},
    {"Puma", "Application server", "ruby rack"},
    {"Unicorn", "Application server", "ruby rack"},
    {"Phusion Passenger", "Application server", "ruby python node"},
    {"PHP-FPM", "Application server", "php fastcgi"},
    {"PM2", "Application server", "node process-manager"},
    {"Supervisor", "Process manager", "python process-manager"},
    // Language runtimes.
    {"Node.js", "Language runtime", "javascript"},
    {"Deno", "Language runtime", "javascript typescript"},
    {"Bun", "Language runtime", "javascript typescript"},
    {"OpenJDK", "Language runtime", "java jvm"},
    {"Oracle Java SE", "Language runtime", "java jvm commercial"},
    {"Eclipse Temurin", "Language runtime", "java jvm"},
    {"Amazon Corretto", "Language runtime", "java jvm"},
    {"Azul Zulu", "Language runtime", "java jvm"},
    {"GraalVM", "Language runtime", "java jvm native"},
    {"Python", "Language runtime", "python"},
    {"PHP", "Language runtime", "php"},
    {"Ruby", "Language runtime", "ruby"},
    {"Perl", "Language runtime", "perl"},
    {".NET Runtime", "Language runtime", "dotnet csharp"},
    {"ASP.NET Core Runtime", "Language runtime", "dotnet web"},
    {"Mono", "Language runtime", "dotnet"},
    {"Erlang/OTP", "Language runtime", "erlang beam"},
    {"Elixir", "Language runtime", "elixir beam"},
    // Proxies, load balancers, gateways and meshes.
    {"HAProxy", "Proxy;Load balancer", "tcp http"},
    {"Envoy", "Proxy;Load balancer", "http grpc service-mesh"},
    {"Traefik", "Proxy;Load balancer", "http ingress"},
    {"Squid", "Proxy;Cache", "forward-proxy http"},
    {"Apache Traffic Server", "Proxy;Cache", "http-cache"},
    {"Keepalived", "Load balancer;High availability", "vrrp"},
    {"Linux Virtual Server", "Load balancer", "ipvs kernel"},
    {"ingress-nginx", "Proxy;Orchestration", "kubernetes ingress"},
    {"Contour", "Proxy;Orchestration", "kubernetes ingress envoy"},
    {"MetalLB", "Load balancer;Orchestration", "kubernetes bare-metal"},
    {"Kong Gateway", "API gateway", "http plugins"},
    {"Tyk Gateway", "API gateway", "http"},
    {"KrakenD", "API gateway", "http"},
    {"Apache APISIX", "API gateway", "http"},
    {"Istio", "Service mesh", "kubernetes envoy"},
    {"Linkerd", "Service mesh", "kubernetes"},
    {"oauth2-proxy", "Proxy;Security", "oauth authentication"},
    {"Pomerium", "Proxy;Security", "zero-trust"},
    // Monitoring, metrics and tracing.
    {"Prometheus", "Monitoring", "metrics time-series"},
    {"Alertmanager", "Monitoring", "alerting prometheus"},
    {"Prometheus Pushgateway", "Monitoring", "metrics prometheus"},
    {"Prometheus Node Exporter", "Monitoring", "metrics agent prometheus"},
    {"Prometheus Blackbox Exporter", "Monitoring", "probes prometheus"},
    {"Grafana", "Monitoring", "dashboards"},
    {"Grafana Mimir", "Monitoring", "metrics prometheus"},
    {"Thanos", "Monitoring", "metrics prometheus"},
    {"Cortex", "Monitoring", "metrics prometheus"},
    {"Zabbix Server", "Monitoring", "metrics alerting"},
    {"Zabbix Agent", "Monitoring", "agent"},
    {"Zabbix Proxy", "Monitoring", "metrics"},
    {"Nagios Core", "Monitoring", "checks alerting"},
    {"NRPE", "Monitoring", "agent nagios"},
    {"Icinga", "Monitoring", "checks alerting"},
    {"Checkmk", "Monitoring", "checks"},
    {"Sensu", "Monitoring", "checks"},
    {"Netdata", "Monitoring", "metrics agent"},
    {"Telegraf", "Monitoring", "metrics agent influxdata"},
    {"collectd", "Monitoring", "metrics agent"},
    {"StatsD", "Monitoring", "metrics"},
    {"Graphite", "Monitoring", "metrics time-series"},
    {"Munin", "Monitoring", "metrics"},
    {"Cacti", "Monitoring", "snmp graphs"},
    {"LibreNMS", "Monitoring;Networking", "snmp"},
    {"Observium", "Monitoring;Networking", "snmp"},
    {"PRTG Network Monitor", "Monitoring;Networking", "snmp windows commercial"},
    {"Monit", "Monitoring", "process"},
    {"Uptime Kuma", "Monitoring", "uptime"},
    {"cAdvisor", "Monitoring;Container", "metrics containers"},
    {"kube-state-metrics", "Monitoring;Orchestration", "kubernetes metrics"},
    {"Datadog Agent", "Monitoring", "agent saas"},
    {"New Relic Infrastructure Agent", "Monitoring", "agent saas"},
    {"Dynatrace OneAgent", "Monitoring", "agent apm saas"},
    {"AppDynamics Machine Agent", "Monitoring", "agent apm"},
    {"Elastic APM Server", "Monitoring;Tracing", "apm elastic"},
    {"Amazon CloudWatch Agent", "Monitoring;Logging", "agent aws"},
    {"Azure Monitor Agent", "Monitoring;Logging", "agent azure"},
    {"Google Cloud Ops Agent", "Monitoring;Logging", "agent gcp"},
    {"Jaeger", "Tracing", "opentelemetry"},
    {"Zipkin", "Tracing", "distributed-tracing"},
    {"Grafana Tempo", "Tracing", "opentelemetry"},
    {"OpenTelemetry Collector", "Tracing;Monitoring;Logging", "opentelemetry agent"},
    {"Sentry", "Monitoring", "errors"},
    {"SigNoz", "Monitoring;Tracing", "opentelemetry apm"},
    // Logging and search.
    {"Elasticsearch", "Search;Logging", "elastic full-text"},
    {"OpenSearch", "Search;Logging", "full-text"},
    {"OpenSearch Dashboards", "Logging", "dashboards"},
    {"Kibana", "Logging;Analytics", "elastic dashboards"},
    {"Logstash", "Logging", "elastic pipeline"},
    {"Filebeat", "Logging", "elastic agent shipper"},
    {"Metricbeat", "Monitoring", "elastic agent"},
    {"Auditbeat", "Security;Logging", "elastic agent audit"},
    {"Elastic Agent", "Logging;Monitoring;Security", "elastic agent"},
    {"Fluentd", "Logging", "shipper"},
    {"Fluent Bit", "Logging", "shipper agent"},
    {"Vector", "Logging", "shipper pipeline"},
    {"Graylog", "Logging", "log-management"},
    {"Grafana Loki", "Logging", "log-management"},
    {"Promtail", "Logging", "shipper loki"},
    {"rsyslog", "Logging", "syslog"},
    {"syslog-ng", "Logging", "syslog"},
    {"systemd-journald", "Logging", "journal systemd"},
    {"logrotate", "Logging", "rotation"},
    {"Splunk Enterprise", "Logging;Security", "siem commercial"},
    {"Splunk Universal Forwarder", "Logging", "agent shipper"},
    {"Apache Solr", "Search", "full-text lucene"},
    {"Meilisearch", "Search", "full-text"},
    {"Typesense", "Search", "full-text"},
    {"Manticore Search", "Search", "full-text sphinx"},
    // CI/CD, source control and artifacts.
    {"Jenkins", "CI/CD", "automation java"},
    {"Jenkins Agent", "CI/CD", "automation agent"},
    {"GitLab", "CI/CD;Version control", "git devops"},
    {"GitLab Runner", "CI/CD", "runner agent"},
    {"GitHub Actions Runner", "CI/CD", "runner agent self-hosted"},
    {"GitHub Enterprise Server", "CI/CD;Version control", "git"},
    {"Azure Pipelines Agent", "CI/CD", "runner agent azure-devops"},
    {"Azure DevOps Server", "CI/CD;Version control", "git windows"},
    {"TeamCity", "CI/CD", "jetbrains"},
    {"Bamboo", "CI/CD", "atlassian"},
    {"Drone", "CI/CD", "containers"},
    {"Woodpecker CI", "CI/CD", "containers"},
    {"Concourse CI", "CI/CD", "pipelines"},
    {"GoCD", "CI/CD", "pipelines"},
    {"Buildkite Agent", "CI/CD", "runner agent"},
    {"Tekton", "CI/CD;Orchestration", "kubernetes pipelines"},
    {"Argo CD", "CI/CD;Orchestration", "kubernetes gitops"},
    {"Argo Workflows", "Scheduler;Orchestration", "kubernetes workflows"},
    {"Flux", "CI/CD;Orchestration", "kubernetes gitops"},
    {"Spinnaker", "CI/CD", "deployment"},
    {"Octopus Deploy", "CI/CD", "deployment windows"},
    {"SonarQube", "CI/CD;Security", "code-quality"},
    {"Gitea", "Version control", "git"},
    {"Forgejo", "Version control", "git"},
    {"Gerrit", "Version control", "git code-review"},
    {"Bitbucket Data Center", "Version control", "git atlassian"},
    {"Apache Subversion", "Version control", "svn"},
    {"Sonatype Nexus Repository", "Artifact repository", "maven npm docker"},
    {"JFrog Artifactory", "Artifact repository", "maven npm docker"},
    {"Harbor", "Artifact repository;Container", "registry oci"},
    {"Docker Registry", "Artifact repository;Container", "registry oci distribution"},
    {"Verdaccio", "Artifact repository", "npm"},
    {"Pulp", "Artifact repository", "rpm deb"},
    // Configuration management and automation.
    {"Ansible", "Config management", "automation agentless"},
    {"AWX", "Config management", "ansible automation"},
    {"Puppet Server", "Config management", "puppet"},
    {"Puppet Agent", "Config management", "puppet agent"},
    {"Chef Infra Server", "Config management", "chef"},
    {"Chef Infra Client", "Config management", "chef agent"},
    {"Salt Master", "Config management", "saltstack"},
    {"Salt Minion", "Config management", "saltstack agent"},
    {"CFEngine", "Config management", "agent"},
    {"Foreman", "Config management", "provisioning"},
    {"Red Hat Satellite", "Config management", "provisioning patching"},
    {"Rundeck", "Scheduler;Config management", "runbooks"},
    {"cloud-init", "Config management", "provisioning cloud"},
    // Containers and orchestration.
    {"Docker Engine", "Container", "runtime dockerd"},
    {"containerd", "Container", "runtime cri"},
    {"CRI-O", "Container", "runtime cri kubernetes"},
    {"Podman", "Container", "runtime daemonless"},
    {"runc", "Container", "runtime oci"},
    {"LXC", "Container", "system-containers"},
    {"LXD", "Container;Virtualization", "system-containers"},
    {"Incus", "Container;Virtualization", "system-containers"},
    {"Kata Containers", "Container", "runtime sandbox"},
    {"Kubernetes kubelet", "Orchestration", "kubernetes node-agent"},
    {"Kubernetes API server", "Orchestration", "kubernetes control-plane"},
    {"Kubernetes scheduler", "Orchestration", "kubernetes control-plane"},
    {"Kubernetes controller manager", "Orchestration", "kubernetes control-plane"},
    {"kube-proxy", "Orchestration;Networking", "kubernetes node-agent"},
    {"etcd", "Service discovery;Database", "key-value raft kubernetes"},
    {"k3s", "Orchestration", "kubernetes lightweight"},
    {"RKE2", "Orchestration", "kubernetes"},
    {"MicroK8s", "Orchestration", "kubernetes lightweight"},
    {"Red Hat OpenShift", "Orchestration", "kubernetes"},
    {"Rancher", "Orchestration", "kubernetes management"},
    {"Portainer", "Orchestration;Container", "management ui"},
    {"HashiCorp Nomad", "Orchestration", "scheduler"},
    {"Docker Swarm", "Orchestration", "docker"},
    {"Apache Mesos", "Orchestration", "cluster-manager"},
    {"Kubernetes Cluster Autoscaler", "Orchestration", "kubernetes autoscaling"},
    {"Karpenter", "Orchestration", "kubernetes autoscaling"},
    {"KEDA", "Orchestration", "kubernetes autoscaling"},
    {"Knative", "Orchestration;Serverless", "kubernetes"},
    {"Amazon ECS Agent", "Orchestration;Container", "aws agent"},
    {"Cilium", "Networking;Orchestration", "kubernetes cni ebpf"},
    {"Calico", "Networking;Orchestration", "kubernetes cni"},
    {"Flannel", "Networking;Orchestration", "kubernetes cni"},
    // Service discovery.
    {"HashiCorp Consul", "Service discovery;Service mesh", "key-value"},
    {"Netflix Eureka", "Service discovery", "java spring"},
    {"CoreDNS", "DNS;Service discovery", "kubernetes"},
    // Security.
    {"HashiCorp Vault", "Security;Secrets", "secrets pki"},
    {"HashiCorp Boundary", "Security;Remote access", "zero-trust"},
    {"Teleport", "Security;Remote access", "ssh zero-trust"},
    {"cert-manager", "Security;Orchestration", "tls kubernetes"},
    {"Certbot", "Security", "tls acme"},
    {"step-ca", "Security", "pki acme"},
    {"Fail2ban", "Security", "intrusion-prevention"},
    {"CrowdSec", "Security", "intrusion-prevention"},
    {"ClamAV", "Security", "antivirus"},
    {"OSSEC", "Security", "hids"},
    {"Wazuh", "Security", "hids siem"},
    {"Wazuh Agent", "Security", "hids agent"},
    {"Suricata", "Security;Networking", "ids ips"},
    {"Snort", "Security;Networking", "ids ips"},
    {"Zeek", "Security;Networking", "network-monitoring"},
    {"Falco", "Security;Container", "runtime-security"},
    {"auditd", "Security", "audit linux"},
    {"AIDE", "Security", "file-integrity"},
    {"Tripwire", "Security", "file-integrity"},
    {"ModSecurity", "Security;Web server", "waf"},
    {"CrowdStrike Falcon Sensor", "Security", "edr agent"},
    {"SentinelOne Agent", "Security", "edr agent"},
    {"Microsoft Defender for Endpoint", "Security", "edr agent"},
    {"Trend Micro Deep Security Agent", "Security", "agent"},
    {"Qualys Cloud Agent", "Security", "vulnerability agent"},
    {"Tenable Nessus", "Security", "vulnerability-scanner"},
    {"Greenbone OpenVAS", "Security", "vulnerability-scanner"},
    {"firewalld", "Security;Networking", "firewall"},
    {"nftables", "Security;Networking", "firewall kernel"},
    {"UFW", "Security;Networking", "firewall"},
    // Identity and directory.
    {"Keycloak", "Identity", "sso oidc saml"},
    {"Authentik", "Identity", "sso oidc saml"},
    {"Authelia", "Identity", "sso"},
    {"Dex", "Identity", "oidc"},
    {"OpenLDAP", "Directory", "ldap"},
    {"389 Directory Server", "Directory", "ldap"},
    {"Microsoft Active Directory Domain Services", "Directory;Identity", "ldap kerberos windows"},
    {"Active Directory Federation Services", "Identity", "saml windows"},
    {"FreeIPA", "Directory;Identity", "ldap kerberos"},
    {"MIT Kerberos KDC", "Directory;Identity", "kerberos"},
    {"SSSD", "Directory", "ldap kerberos client"},
    {"Samba", "File sharing;Directory", "smb cifs active-directory"},
    // Mail.
    {"Postfix", "Mail", "smtp mta"},
    {"Exim", "Mail", "smtp mta"},
    {"Sendmail", "Mail", "smtp mta"},
    {"OpenSMTPD", "Mail", "smtp mta"},
    {"Haraka", "Mail", "smtp node"},
    {"Dovecot", "Mail", "imap pop3"},
    {"Cyrus IMAP", "Mail", "imap"},
    {"Microsoft Exchange Server", "Mail;Collaboration", "smtp windows"},
    {"Zimbra", "Mail;Collaboration", "smtp webmail"},
    {"Roundcube", "Mail", "webmail php"},
    {"SpamAssassin", "Mail;Security", "antispam"},
    {"Rspamd", "Mail;Security", "antispam"},
    {"Amavis", "Mail;Security", "content-filter"},
    {"OpenDKIM", "Mail;Security", "dkim"},
    {"Mailpit", "Mail", "testing"},
    // DNS, DHCP and time.
    {"BIND 9", "DNS", "authoritative recursive"},
    {"PowerDNS Authoritative Server", "DNS", "authoritative"},
    {"PowerDNS Recursor", "DNS", "recursive"},
    {"Unbound", "DNS", "recursive"},
    {"dnsmasq", "DNS;DHCP", "dhcp"},
    {"Knot DNS", "DNS", "authoritative"},
    {"NSD", "DNS", "authoritative"},
    {"Microsoft DNS Server", "DNS", "windows"},
    {"Pi-hole", "DNS", "blocking"},
    {"ExternalDNS", "DNS;Orchestration", "kubernetes"},
    {"ISC DHCP Server", "DHCP", "dhcpd"},
    {"Kea DHCP", "DHCP", "isc"},
    {"Chrony", "Time sync", "ntp"},
    {"ntpd", "Time sync", "ntp"},
    // Networking, VPN and high availability.
    {"OpenVPN", "VPN", "tls"},
    {"WireGuard", "VPN", "kernel"},
    {"strongSwan", "VPN", "ipsec"},
    {"Libreswan", "VPN", "ipsec"},
    {"Tailscale", "VPN", "wireguard mesh"},
    {"ZeroTier", "VPN", "mesh"},
    {"FRRouting", "Networking", "bgp ospf routing"},
    {"BIRD", "Networking", "bgp routing"},
    {"Open vSwitch", "Networking;Virtualization", "sdn"},
    {"Net-SNMP", "Networking;Monitoring", "snmp agent"},
    {"Pacemaker", "High availability", "cluster"},
    {"Corosync", "High availability", "cluster"},
    {"DRBD", "High availability;Storage", "replication block"},
    // Storage and file transfer.
    {"Ceph", "Storage", "object block file distributed"},
    {"MinIO", "Storage", "object s3-compatible"},
    {"SeaweedFS", "Storage", "object file distributed"},
    {"GlusterFS", "Storage", "file distributed"},
    {"NFS Server", "Storage;File sharing", "nfs"},
    {"Lustre", "Storage", "parallel-filesystem hpc"},
    {"BeeGFS", "Storage", "parallel-filesystem hpc"},
    {"Apache Hadoop HDFS", "Storage", "hadoop distributed"},
    {"Longhorn", "Storage;Orchestration", "kubernetes block"},
    {"Rook", "Storage;Orchestration", "kubernetes ceph"},
    {"OpenEBS", "Storage;Orchestration", "kubernetes block"},
    {"Portworx", "Storage;Orchestration", "kubernetes commercial"},
    {"LIO iSCSI Target", "Storage", "iscsi block"},
    {"vsftpd", "File transfer", "ftp"},
    {"ProFTPD", "File transfer", "ftp"},
    {"Pure-FTPd", "File transfer", "ftp"},
    {"FileZilla Server", "File transfer", "ftp windows"},
    {"SFTPGo", "File transfer", "sftp ftp webdav"},
    {"rsync", "File transfer;Backup", "sync"},
    {"Syncthing", "File sharing", "sync"},
    {"Nextcloud", "File sharing;Collaboration", "php"},
    {"ownCloud", "File sharing;Collaboration", "php"},
    // Backup.
    {"Bacula", "Backup", "director agent"},
    {"Bareos", "Backup", "director agent"},
    {"BorgBackup", "Backup", "deduplicating"},
    {"restic", "Backup", "deduplicating"},
    {"Kopia", "Backup", "deduplicating"},
    {"Duplicati", "Backup", "encrypted"},
    {"Duplicity", "Backup", "encrypted"},
    {"rclone", "Backup;File transfer", "cloud-storage sync"},
    {"UrBackup", "Backup", "image file"},
    {"Velero", "Backup;Orchestration", "kubernetes"},
    {"Barman", "Backup;Database", "postgresql"},
    {"pgBackRest", "Backup;Database", "postgresql"},
    {"Percona XtraBackup", "Backup;Database", "mysql"},
    {"Veeam Backup & Replication", "Backup", "commercial vmware"},
    {"Veeam Agent", "Backup", "agent commercial"},
    {"Commvault", "Backup", "commercial"},
    {"Veritas NetBackup", "Backup", "commercial"},
    {"IBM Storage Protect", "Backup", "commercial tsm"},
    // Virtualization and private cloud.
    {"VMware ESXi", "Virtualization", "hypervisor"},
    {"VMware vCenter Server", "Virtualization", "management"},
    {"VMware Tools", "Virtualization", "guest-agent open-vm-tools"},
    {"Proxmox VE", "Virtualization", "hypervisor kvm"},
    {"QEMU/KVM", "Virtualization", "hypervisor"},
    {"QEMU Guest Agent", "Virtualization", "guest-agent"},
    {"libvirt", "Virtualization", "management"},
    {"Xen", "Virtualization", "hypervisor"},
    {"XCP-ng", "Virtualization", "hypervisor xen"},
    {"Citrix Hypervisor", "Virtualization", "hypervisor xen"},
    {"Microsoft Hyper-V", "Virtualization", "hypervisor windows"},
    {"oVirt", "Virtualization", "management kvm"},
    {"VirtualBox", "Virtualization", "hypervisor desktop"},
    {"OpenStack Nova", "Virtualization", "openstack compute"},
    {"OpenStack Neutron", "Networking", "openstack"},
    {"OpenStack Keystone", "Identity", "openstack"},
    {"OpenStack Glance", "Virtualization", "openstack images"},
    {"OpenStack Cinder", "Storage", "openstack block"},
    {"OpenStack Swift", "Storage", "openstack object"},
    {"OpenStack Horizon", "Virtualization", "openstack dashboard"},
    // Cloud guest agents.
    {"AWS Systems Manager Agent", "Config management", "aws agent ssm"},
    {"Azure Linux Agent", "Config management", "azure agent waagent"},
    {"Google Guest Agent", "Config management", "gcp agent"},
    {"DigitalOcean Droplet Agent", "Monitoring", "digitalocean agent"},
    // Remote access and administration.
    {"OpenSSH", "Remote access", "ssh sftp"},
    {"Dropbear SSH", "Remote access", "ssh embedded"},
    {"Microsoft Remote Desktop Services", "Remote access", "rdp windows"},
    {"xrdp", "Remote access", "rdp"},
    {"Apache Guacamole", "Remote access", "rdp vnc ssh gateway"},
    {"TigerVNC", "Remote access", "vnc"},
    {"TeamViewer", "Remote access", "commercial"},
    {"Windows Remote Management", "Remote access", "winrm windows"},
    {"Cockpit", "Remote access", "web-console linux"},
    {"Webmin", "Remote access", "web-console"},
    // Scheduling and data processing.
    {"cronie", "Scheduler", "cron"},
    {"Apache Airflow", "Scheduler;Data processing", "workflows python"},
    {"Temporal", "Scheduler", "workflows"},
    {"Control-M Agent", "Scheduler", "agent commercial"},
    {"Celery", "Scheduler", "python task-queue"},
    {"Sidekiq", "Scheduler", "ruby task-queue"},
    {"Apache Spark", "Data processing", "batch streaming"},
    {"Apache Flink", "Data processing", "streaming"},
    {"Apache Storm", "Data processing", "streaming"},
    {"Apache NiFi", "Data processing", "dataflow"},
    {"Apache Hadoop YARN", "Data processing", "hadoop resource-manager"},
    {"Apache Hive", "Data processing;Database", "sql hadoop"},
    {"Trino", "Data processing;Analytics", "sql federated"},
    {"Presto", "Data processing;Analytics", "sql federated"},
    {"Ray", "Data processing", "python distributed ai"},
    {"MLflow", "Data processing", "machine-learning"},
    {"JupyterHub", "Analytics", "notebooks python"},
    {"Apache Zeppelin", "Analytics", "notebooks"},
    {"Metabase", "Analytics", "bi dashboards"},
    {"Apache Superset", "Analytics", "bi dashboards"},
    {"Redash", "Analytics", "bi dashboards"},
    {"Tableau Server", "Analytics", "bi commercial"},
    {"Power BI Report Server", "Analytics", "bi windows"},
    {"Matomo", "Analytics", "web-analytics php"},
    {"Posit Connect", "Analytics", "r python"},
    // Collaboration and business applications.
    {"Atlassian Confluence", "Collaboration", "wiki java"},
    {"Atlassian Jira", "Collaboration", "issues java"},
    {"Mattermost", "Collaboration", "chat"},
    {"Rocket.Chat", "Collaboration", "chat"},
    {"Zulip", "Collaboration", "chat"},
    {"Jitsi Meet", "Collaboration", "video"},
    {"BigBlueButton", "Collaboration", "video"},
    {"Discourse", "Collaboration", "forum"},
    {"Redmine", "Collaboration", "issues ruby"},
    {"MediaWiki", "Collaboration", "wiki php"},
    {"Wiki.js", "Collaboration", "wiki node"},
    {"BookStack", "Collaboration", "wiki php"},
    {"Microsoft SharePoint Server", "Collaboration", "windows"},
    {"Alfresco", "Collaboration", "ecm java"},
    {"WordPress", "CMS", "php"},
    {"Drupal", "CMS", "php"},
    {"Joomla", "CMS", "php"},
    {"Moodle", "CMS", "lms php"},
    {"Odoo", "ERP", "python"},
    {"SAP NetWeaver Application Server", "ERP;Application server", "sap abap java"},
    {"GLPI", "IT management", "itsm assets php"},
    {"Snipe-IT", "IT management", "assets php"},
    {"CUPS", "Printing", "ipp"},
};
// clang-format on

json BuildServices() {
  json services = json::array();
  for (const auto& row : kServices) {
    services.push_back(
        {{"name", row.name}, {"family", Split(row.families, ';')}, {"tags", Split(row.tags, ' ')}});
  }
  return services;
}

// ---------------------------------------------------------------------------------------------
// Flavor catalogue.

json Flavor(const std::string& provider, const std::string& name, int vcpus, double memory,
            double disk = 0) {
  json flavor = {{"name", name},     {"provider", provider}, {"vcpus", vcpus},
                 {"memory", memory}, {"api_name", name},     {"public", true}};
  if (disk > 0) flavor["disk"] = disk;
  return flavor;
}

// An EC2 family whose memory is a fixed number of GiB per vCPU; sizes are named by the vCPU count
// ("large" = 2, "xlarge" = 4, "<n>xlarge" = 4n, "medium" = 1 on Graviton families).
struct AwsFamily {
  const char* name;
  double memory_per_vcpu;
  const char* sizes;  // space-separated
};

const AwsFamily kAwsFamilies[] = {
    {"m5", 4, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"},
    {"m5a", 4, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"},
    {"m6i", 4, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge"},
    {"m6a", 4, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge"},
    {"m6g", 4, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
    {"m7i", 4, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"},
    {"m7g", 4, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
    {"c5", 2, "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge"},
    {"c5a", 2, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"},
    {"c6i", 2, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge"},
    {"c6g", 2, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
    {"c7i", 2, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"},
    {"c7g", 2, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
    {"r5", 8, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"},
    {"r5a", 8, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"},
    {"r6i", 8, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge"},
    {"r6g", 8, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
    {"r7i", 8, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"},
    {"r7g", 8, "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"},
};

int AwsVcpus(const std::string& size) {
  if (size == "medium") return 1;
  if (size == "large") return 2;
  if (size == "xlarge") return 4;
  return std::stoi(size) * 4;  // "<n>xlarge"
}

// Burstable families: the same two vCPUs from nano to large, so listed size by size.
struct SizeRow {
  const char* name;
  int vcpus;
  double memory;
  double disk;
};

const SizeRow kAwsBurstable[] = {
    {"t2.nano", 1, 0.5, 0},    {"t2.micro", 1, 1, 0},    {"t2.small", 1, 2, 0},
    {"t2.medium", 2, 4, 0},    {"t2.large", 2, 8, 0},    {"t2.xlarge", 4, 16, 0},
    {"t2.2xlarge", 8, 32, 0},  {"t3.nano", 2, 0.5, 0},   {"t3.micro", 2, 1, 0},
    {"t3.small", 2, 2, 0},     {"t3.medium", 2, 4, 0},   {"t3.large", 2, 8, 0},
    {"t3.xlarge", 4, 16, 0},   {"t3.2xlarge", 8, 32, 0}, {"t3a.nano", 2, 0.5, 0},
    {"t3a.micro", 2, 1, 0},    {"t3a.small", 2, 2, 0},   {"t3a.medium", 2, 4, 0},
    {"t3a.large", 2, 8, 0},    {"t3a.xlarge", 4, 16, 0}, {"t3a.2xlarge", 8, 32, 0},
    {"t4g.nano", 2, 0.5, 0},   {"t4g.micro", 2, 1, 0},   {"t4g.small", 2, 2, 0},
    {"t4g.medium", 2, 4, 0},   {"t4g.large", 2, 8, 0},   {"t4g.xlarge", 4, 16, 0},
    {"t4g.2xlarge", 8, 32, 0},
};

// Azure sizes (memory in GiB). Temporary disks are scratch space, not a fixed disk: left out.
const SizeRow kAzureSizes[] = {
    {"Standard_B1ls", 1, 0.5, 0},     {"Standard_B1s", 1, 1, 0},
    {"Standard_B1ms", 1, 2, 0},       {"Standard_B2s", 2, 4, 0},
    {"Standard_B2ms", 2, 8, 0},       {"Standard_B4ms", 4, 16, 0},
    {"Standard_B8ms", 8, 32, 0},      {"Standard_B12ms", 12, 48, 0},
    {"Standard_B16ms", 16, 64, 0},    {"Standard_B20ms", 20, 80, 0},
    {"Standard_B2ts_v2", 2, 1, 0},    {"Standard_B2ls_v2", 2, 4, 0},
    {"Standard_B2s_v2", 2, 8, 0},     {"Standard_B4ls_v2", 4, 8, 0},
    {"Standard_B4s_v2", 4, 16, 0},    {"Standard_B8s_v2", 8, 32, 0},
    {"Standard_B16s_v2", 16, 64, 0},  {"Standard_D2s_v3", 2, 8, 0},
    {"Standard_D4s_v3", 4, 16, 0},    {"Standard_D8s_v3", 8, 32, 0},
    {"Standard_D16s_v3", 16, 64, 0},  {"Standard_D32s_v3", 32, 128, 0},
    {"Standard_D48s_v3", 48, 192, 0}, {"Standard_D64s_v3", 64, 256, 0},
    {"Standard_E2s_v3", 2, 16, 0},    {"Standard_E4s_v3", 4, 32, 0},
    {"Standard_E8s_v3", 8, 64, 0},    {"Standard_E16s_v3", 16, 128, 0},
    {"Standard_E32s_v3", 32, 256, 0}, {"Standard_E64s_v3", 64, 432, 0},
    {"Standard_F2s_v2", 2, 4, 0},     {"Standard_F4s_v2", 4, 8, 0},
    {"Standard_F8s_v2", 8, 16, 0},    {"Standard_F16s_v2", 16, 32, 0},
    {"Standard_F32s_v2", 32, 64, 0},  {"Standard_F48s_v2", 48, 96, 0},
    {"Standard_F64s_v2", 64, 128, 0}, {"Standard_F72s_v2", 72, 144, 0},
};

// Azure v5 series follow a fixed GiB-per-vCPU ratio; `pattern` has '#' for the vCPU count.
struct AzureSeries {
  const char* pattern;
  double memory_per_vcpu;
  const char* vcpus;  // space-separated
};

const AzureSeries kAzureSeries[] = {
    {"Standard_D#_v5", 4, "2 4 8 16 32 48 64 96"},
    {"Standard_D#s_v5", 4, "2 4 8 16 32 48 64 96"},
    {"Standard_D#ds_v5", 4, "2 4 8 16 32 48 64 96"},
    {"Standard_D#as_v5", 4, "2 4 8 16 32 48 64 96"},
    {"Standard_D#ls_v5", 2, "2 4 8 16 32 48 64 96"},
    {"Standard_E#_v5", 8, "2 4 8 16 20 32 48 64"},
    {"Standard_E#s_v5", 8, "2 4 8 16 20 32 48 64"},
    {"Standard_E#ds_v5", 8, "2 4 8 16 20 32 48 64"},
    {"Standard_E#as_v5", 8, "2 4 8 16 20 32 48 64"},
};

// DigitalOcean droplets, each with its fixed SSD disk (GB).
const SizeRow kDigitalOceanSizes[] = {
    {"s-1vcpu-512mb-10gb", 1, 0.5, 10},
    {"s-1vcpu-1gb", 1, 1, 25},
    {"s-1vcpu-2gb", 1, 2, 50},
    {"s-2vcpu-2gb", 2, 2, 60},
    {"s-2vcpu-4gb", 2, 4, 80},
    {"s-4vcpu-8gb", 4, 8, 160},
    {"s-8vcpu-16gb", 8, 16, 320},
    {"s-1vcpu-1gb-amd", 1, 1, 25},
    {"s-1vcpu-2gb-amd", 1, 2, 50},
    {"s-2vcpu-2gb-amd", 2, 2, 60},
    {"s-2vcpu-4gb-amd", 2, 4, 80},
    {"s-4vcpu-8gb-amd", 4, 8, 160},
    {"s-8vcpu-16gb-amd", 8, 16, 320},
    {"s-1vcpu-1gb-intel", 1, 1, 25},
    {"s-1vcpu-2gb-intel", 1, 2, 50},
    {"s-2vcpu-2gb-intel", 2, 2, 60},
    {"s-2vcpu-4gb-intel", 2, 4, 80},
    {"s-4vcpu-8gb-intel", 4, 8, 160},
    {"s-8vcpu-16gb-intel", 8, 16, 320},
    {"c-2", 2, 4, 25},
    {"c-4", 4, 8, 50},
    {"c-8", 8, 16, 100},
    {"c-16", 16, 32, 200},
    {"c-32", 32, 64, 400},
    {"c-48", 48, 96, 600},
    {"g-2vcpu-8gb", 2, 8, 25},
    {"g-4vcpu-16gb", 4, 16, 50},
    {"g-8vcpu-32gb", 8, 32, 100},
    {"g-16vcpu-64gb", 16, 64, 200},
    {"g-32vcpu-128gb", 32, 128, 400},
    {"g-40vcpu-160gb", 40, 160, 500},
    {"m-2vcpu-16gb", 2, 16, 50},
    {"m-4vcpu-32gb", 4, 32, 100},
    {"m-8vcpu-64gb", 8, 64, 200},
    {"m-16vcpu-128gb", 16, 128, 400},
    {"m-24vcpu-192gb", 24, 192, 600},
    {"m-32vcpu-256gb", 32, 256, 800},
};

json BuildFlavors() {
  json flavors = json::array();
  for (const auto& row : kAwsBurstable)
    flavors.push_back(Flavor("AWS", row.name, row.vcpus, row.memory));
  for (const auto& family : kAwsFamilies) {
    for (const auto& size : Split(family.sizes, ' ')) {
      const int vcpus = AwsVcpus(size.get<std::string>());
      flavors.push_back(Flavor("AWS", std::string(family.name) + "." + size.get<std::string>(),
                               vcpus, vcpus * family.memory_per_vcpu));
    }
  }
  for (const auto& row : kAzureSizes)
    flavors.push_back(Flavor("Azure", row.name, row.vcpus, row.memory));
  for (const auto& series : kAzureSeries) {
    const std::string pattern = series.pattern;
    const std::size_t hole = pattern.find('#');
    for (const auto& count : Split(series.vcpus, ' ')) {
      const std::string vcpus = count.get<std::string>();
      const int n = std::stoi(vcpus);
      flavors.push_back(Flavor("Azure", pattern.substr(0, hole) + vcpus + pattern.substr(hole + 1),
                               n, n * series.memory_per_vcpu));
    }
  }
  for (const auto& row : kDigitalOceanSizes) {
    flavors.push_back(Flavor("DigitalOcean", row.name, row.vcpus, row.memory, row.disk));
  }
  return flavors;
}

}  // namespace

const nlohmann::json& DefaultOptions() {
  static const json options = [] {
    json built = BuildOptions();
    // The catalogues are global lists too: everyone reads them, instance admins edit them.
    built["service_catalogue"] = DefaultServices();
    built["flavor_catalogue"] = DefaultFlavors();
    return built;
  }();
  return options;
}

const nlohmann::json& DefaultServices() {
  static const json services = BuildServices();
  return services;
}

const nlohmann::json& DefaultFlavors() {
  static const json flavors = BuildFlavors();
  return flavors;
}

}  // namespace maestro::inventory
