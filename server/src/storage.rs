//! Files (originals, page images, OCR PDFs, character boxes) behind one interface: a local directory by
//! default, or S3-compatible object storage when `LECTERN_STORAGE_URL=s3://bucket[/prefix]`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

/// Files are written in parts of this size, so a large upload never sits in memory whole.
const PART: usize = 8 << 20;

impl Storage {
    /// Local files under `data_dir/files`, or the bucket named by `url` (credentials and endpoint from the
    /// usual `AWS_*` variables, e.g. `AWS_ENDPOINT` for an S3-compatible server).
    pub fn open(data_dir: &Path, url: Option<&str>) -> anyhow::Result<Storage> {
        match url.filter(|u| !u.is_empty()) {
            None => {
                let root = data_dir.join("files");
                std::fs::create_dir_all(&root)?;
                Ok(Storage { store: Arc::new(LocalFileSystem::new_with_prefix(root)?), prefix: String::new() })
            }
            Some(url) => {
                let rest = url.strip_prefix("s3://").context("LECTERN_STORAGE_URL must start with s3://")?;
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                let store = AmazonS3Builder::from_env().with_bucket_name(bucket).build()?;
                let prefix = prefix.trim_matches('/');
                let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
                Ok(Storage { store: Arc::new(store), prefix })
            }
        }
    }

    fn key(&self, key: &str) -> Key {
        Key::from(format!("{}{key}", self.prefix))
    }

    pub async fn put(&self, key: &str, bytes: impl Into<Bytes>) -> anyhow::Result<()> {
        self.store.put(&self.key(key), PutPayload::from(bytes.into())).await?;
        Ok(())
    }

    /// Stores a local file, part by part.
    pub async fn put_file(&self, key: &str, path: &Path) -> anyhow::Result<()> {
        let mut file = tokio::fs::File::open(path).await?;
        let mut upload = self.store.put_multipart(&self.key(key)).await?;
        loop {
            let mut buf = Vec::with_capacity(PART);
            (&mut file).take(PART as u64).read_to_end(&mut buf).await?;
            if buf.is_empty() {
                break;
            }
            upload.put_part(PutPayload::from(buf)).await?;
        }
        upload.complete().await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        Ok(self.store.get(&self.key(key)).await?.bytes().await?)
    }

    /// Copies a stored file to a local path, streaming.
    pub async fn get_to_file(&self, key: &str, path: &Path) -> anyhow::Result<()> {
        use futures_util::StreamExt;
        let mut stream = self.store.get(&self.key(key)).await?.into_stream();
        let mut file = tokio::fs::File::create(path).await?;
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk?).await?;
        }
        file.flush().await?;
        Ok(())
    }

    /// Removes the file at `key`; a file that is not there is no error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.key(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every file under the folder `prefix` (e.g. `documents/7/`); a prefix that names a file removes
    /// nothing, use `delete` for that.
    pub async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()> {
        use futures_util::StreamExt;
        let keys: Vec<_> = self.store.list(Some(&self.key(prefix))).collect().await;
        for meta in keys {
            self.store.delete(&meta?.location).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_files_round_trip_and_delete_by_prefix() {
        let dir = std::env::temp_dir().join(format!("lectern-storage-{}", std::process::id()));
        let storage = Storage::open(&dir, None).unwrap();
        storage.put("documents/1/a.txt", Bytes::from_static(b"hello")).await.unwrap();
        let big = dir.join("big.bin");
        let content: Vec<u8> = (0..(PART + 1000)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&big, &content).unwrap();
        storage.put_file("documents/1/big.bin", &big).await.unwrap();
        storage.put("documents/2/b.txt", Bytes::from_static(b"keep")).await.unwrap();

        assert_eq!(storage.get("documents/1/a.txt").await.unwrap(), Bytes::from_static(b"hello"));
        let copy = dir.join("copy.bin");
        storage.get_to_file("documents/1/big.bin", &copy).await.unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), content);

        storage.delete_prefix("documents/1/").await.unwrap();
        assert!(storage.get("documents/1/a.txt").await.is_err());
        assert_eq!(storage.get("documents/2/b.txt").await.unwrap(), Bytes::from_static(b"keep"));

        // A prefix is a folder: the file `originals/x` is not under `originals/x`, and only `delete` removes it.
        storage.put("originals/x", Bytes::from_static(b"upload")).await.unwrap();
        storage.delete_prefix("originals/x").await.unwrap();
        assert!(storage.get("originals/x").await.is_ok());
        storage.delete("originals/x").await.unwrap();
        assert!(storage.get("originals/x").await.is_err());
        storage.delete("originals/x").await.unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
