-- One database per Atende service: each service owns its data and reads no other service's.
-- Run once by the postgres image on an empty data volume (docker-compose.yml); the Kubernetes dev
-- overlay carries an identical copy (deploy/k8s/overlays/dev/infra/01-databases.sql).
CREATE DATABASE atende_tickets;
CREATE DATABASE atende_chat;
CREATE DATABASE atende_mail_ingest;
CREATE DATABASE atende_notifier;
CREATE DATABASE atende_files;
CREATE DATABASE atende_insights;
CREATE DATABASE atende_gateway;
