-- Runs once, when the MariaDB container initializes its data directory.

-- The replication user binlake connects as (README.md: REPLICATION SLAVE,
-- REPLICATION CLIENT and SELECT).
CREATE USER 'binlake'@'%' IDENTIFIED BY 'binlake';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'binlake'@'%';

-- A small shop: binlake copies it in its initial snapshot.
USE shop;

CREATE TABLE customers (
  id   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  city VARCHAR(100) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE orders (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT UNSIGNED NOT NULL,
  status      VARCHAR(20) NOT NULL,
  total       DECIMAL(10,2) NOT NULL,
  created_at  DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO customers (name, city) VALUES
  ('Ada', 'London'), ('Grace', 'Arlington'), ('Edsger', 'Nuenen');

INSERT INTO orders (customer_id, status, total, created_at) VALUES
  (1, 'paid',    19.90, '2026-11-20 09:12:00'),
  (1, 'shipped', 42.00, '2026-11-20 10:40:00'),
  (2, 'paid',     7.50, '2026-11-21 08:05:00'),
  (3, 'open',   120.00, '2026-11-21 17:33:00');
